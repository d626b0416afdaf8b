import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X = torch.randn(500, 8)
price = X @ torch.randn(8) + 0.1 * torch.randn(500)                  # [500]
loader = DataLoader(TensorDataset(X, price), batch_size=64, shuffle=True)

model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(5):
    for xb, yb in loader:
        pred = model(xb)                                               # [B, 1]
        loss = criterion(pred, yb.unsqueeze(1))                        # [B, 1] vs [B, 1]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'mse', round(loss.item(), 4))
