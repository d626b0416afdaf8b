import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X = torch.randn(600, 20)
y = (X[:, :3].sum(dim=1) > 0).float()
train_loader = DataLoader(TensorDataset(X[:500], y[:500]), batch_size=50, shuffle=True)
X_val, y_val = X[500:], y[500:]

model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(5):
    model.train()
    for xb, yb in train_loader:
        loss = criterion(model(xb), yb.unsqueeze(1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(X_val)                                   # [100, 1] logits
        pred = (out.squeeze(1) > 0).long()
        acc = (pred == y_val.long()).float().mean()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'val acc', acc.item())
