import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)


def make_encoder(width):
    return nn.Sequential(
        nn.Conv2d(1, width // 2, 5, padding=2), nn.BatchNorm2d(width // 2), nn.ReLU(),
        nn.Conv2d(width // 2, width, 3, stride=2, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(1))


class StereoNet(nn.Module):
    def __init__(self, width=24, n_out=3):
        super().__init__()
        self.encoder = make_encoder(width)
        self.fc1 = nn.Linear(2 * width, 40)
        self.fc2 = nn.Linear(40, n_out)

    def fuse(self, left, right):
        feats = [self.encoder(left), self.encoder(right)]
        return torch.cat(feats, dim=0)

    def forward(self, left, right):
        z = self.fuse(left, right)
        return self.fc2(F.relu(self.fc1(z)))


left = torch.randn(36, 1, 28, 28)
right = torch.randn(36, 1, 28, 28)
target = torch.randint(0, 3, (36,))
loader = DataLoader(TensorDataset(left, right, target), batch_size=9, shuffle=True)
model = StereoNet()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(2):
    for l, r, t in loader:
        loss = F.cross_entropy(model(l, r), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
