"""Attention pooling weights computed with softmax over dim 0 of [B, T]: across the batch, not time."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)


class Pool(nn.Module):
    def __init__(self):
        super().__init__()
        self.score = nn.Linear(10, 1)
        self.out = nn.Linear(10, 2)

    def forward(self, x):                             # [batch, time, features]
        w = torch.softmax(self.score(x).squeeze(-1), dim=0)
        pooled = (w.unsqueeze(-1) * x).sum(1)
        return self.out(pooled)


x = torch.randn(40, 7, 10)
y = torch.randint(0, 2, (40,))
model = Pool()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for xb, yb in DataLoader(TensorDataset(x, y), batch_size=8):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
