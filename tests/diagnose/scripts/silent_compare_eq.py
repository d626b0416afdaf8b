"""Accuracy computed as (pred == y) with y kept as a [N, 1] column: it counts N x N pairs."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)

X = torch.randn(60, 4)
Y = (X[:, :1] > 0).long()
loader = DataLoader(TensorDataset(X, Y), batch_size=15)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
correct = 0
for xb, yb in loader:
    logits = model(xb)
    loss = nn.functional.cross_entropy(logits, yb.squeeze(1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    pred = logits.argmax(dim=1)
    correct += (pred == yb).sum().item()
print("accuracy", correct / len(X))
