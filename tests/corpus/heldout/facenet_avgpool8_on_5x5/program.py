import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

IMAGE_SIZE = 160
EMBEDDING_DIM = 32


def basic_conv(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
                         nn.BatchNorm2d(cout, eps=0.001), nn.ReLU(inplace=False))


class Block35(nn.Module):
    def __init__(self, ch, scale=0.17):
        super().__init__()
        self.scale = scale
        self.branch = nn.Sequential(basic_conv(ch, ch, 1), basic_conv(ch, ch, 1))

    def forward(self, x):
        return F.relu(x + self.scale * self.branch(x))


class InceptionResnetSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(basic_conv(3, 16, 2), basic_conv(16, 24, 2), basic_conv(24, 32, 2))
        self.repeat = nn.Sequential(Block35(32), Block35(32))
        self.mixed_7a = nn.Sequential(basic_conv(32, 64, 2), basic_conv(64, 96, 2))
        self.avgpool_1a = nn.AvgPool2d(8, count_include_pad=False)
        self.last_linear = nn.Linear(96, EMBEDDING_DIM)

    def forward(self, x):
        x = self.stem(x)
        x = self.repeat(x)
        x = self.mixed_7a(x)
        x = self.avgpool_1a(x)
        x = x.view(x.size(0), -1)
        return F.normalize(self.last_linear(x), p=2, dim=1)


class TripletFaceDataset(Dataset):
    def __init__(self, n):
        self.faces = torch.rand(n, 3, 3, IMAGE_SIZE, IMAGE_SIZE)

    def __len__(self):
        return len(self.faces)

    def __getitem__(self, i):
        anc, pos, neg = self.faces[i]
        return anc, pos, neg


model = InceptionResnetSmall()
loader = DataLoader(TripletFaceDataset(8), batch_size=4)
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.05)
triplet = nn.TripletMarginLoss(margin=0.2)

for epoch in range(1):
    for anc, pos, neg in loader:
        anc_emb, pos_emb, neg_emb = model(anc), model(pos), model(neg)
        loss = triplet(anc_emb, pos_emb, neg_emb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'triplet loss', loss.item())
