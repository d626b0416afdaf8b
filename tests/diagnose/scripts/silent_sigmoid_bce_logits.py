"""A binary classifier that ends in torch.sigmoid, trained with BCEWithLogitsLoss."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(6)


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, x):
        return torch.sigmoid(self.net(x))


x = torch.randn(64, 12)
y = (x[:, :1] > 0).float()
model = Detector()
criterion = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for xb, yb in DataLoader(TensorDataset(x, y), batch_size=16):
    opt.zero_grad()
    loss = criterion(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
