"""House-price style regression: the head's output is squeezed, the targets are a column."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(19)


class PriceModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(5, 32), nn.ReLU())
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze()


X = torch.randn(80, 5)
prices = (X @ torch.randn(5, 1)) + 0.1 * torch.randn(80, 1)
loader = DataLoader(TensorDataset(X, prices), batch_size=20, shuffle=True)
model = PriceModel()
criterion = nn.MSELoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(2):
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
print("mse", loss.item())
