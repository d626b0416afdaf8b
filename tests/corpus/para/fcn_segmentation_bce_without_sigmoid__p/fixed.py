import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(15)

N_TAGS = 6


class TaggedClips(Dataset):
    def __init__(self, n=40, n_mels=16, frames=50):
        self.specs = torch.randn(n, 1, n_mels, frames)
        self.tags = (torch.rand(n, N_TAGS) > 0.7).float()

    def __len__(self):
        return len(self.specs)

    def __getitem__(self, i):
        return self.specs[i], self.tags[i]


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 10, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(10, N_TAGS)

    def forward(self, spec):
        h = self.pool(F.relu(self.conv(spec))).flatten(1)
        return self.head(h)


def compute_loss(model, batch):
    spec, tags = batch
    probs = torch.sigmoid(model(spec))
    return F.binary_cross_entropy(probs, tags)


model = Tagger()
loader = DataLoader(TaggedClips(), batch_size=10, shuffle=True)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for batch in loader:
        loss = compute_loss(model, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
