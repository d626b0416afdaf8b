"""Binary classification with BCEWithLogitsLoss: logits [N, 1] and float labels [N, 1]."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(35)

X = torch.randn(50, 7)
y = (X[:, 0] > 0).float().unsqueeze(1)
model = nn.Sequential(nn.Linear(7, 16), nn.ReLU(), nn.Linear(16, 1))
crit = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for xb, yb in DataLoader(TensorDataset(X, y), batch_size=10, shuffle=True):
    logits = model(xb)
    loss = crit(logits, yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
    acc = ((logits > 0).float() == yb).float().mean()
print(loss.item(), acc.item())
