import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X = torch.randn(400, 10) * torch.linspace(1, 50, 10) + 7
y = (X[:, 0] > 7).long()
mu, sd = X.mean(dim=0), X.std(dim=0)
X = (X - mu) / sd
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for xb, yb in DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True):
    loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
