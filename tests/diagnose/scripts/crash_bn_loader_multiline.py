"""BatchNorm1d and 65 samples in batches of 16, the DataLoader call written over several lines."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(51)
dataset = TensorDataset(torch.randn(65, 4), torch.randn(65, 1))
loader = DataLoader(
    dataset,
    batch_size=16,
    shuffle=False,
)
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.Adam(model.parameters())
for xb, yb in loader:
    opt.zero_grad()
    nn.functional.mse_loss(model(xb), yb).backward()
    opt.step()
print("ok")
