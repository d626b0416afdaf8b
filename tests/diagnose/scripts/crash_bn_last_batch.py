"""An MLP with BatchNorm1d on 97 samples in batches of 32: the last batch holds one sample."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(12)


class Points(Dataset):
    def __init__(self, n):
        self.x = torch.randn(n, 6)
        self.y = (self.x.sum(dim=1) > 0).long()

    def __len__(self):
        return self.x.shape[0]

    def __getitem__(self, i):
        return self.x[i], self.y[i]


net = nn.Sequential(nn.Linear(6, 24), nn.BatchNorm1d(24), nn.ReLU(), nn.Linear(24, 2))
loader = DataLoader(Points(97), batch_size=32, shuffle=True)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(2):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(xb), yb)
        loss.backward()
        opt.step()
print("loss", loss.item())
