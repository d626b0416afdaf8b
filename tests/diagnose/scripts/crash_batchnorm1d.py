"""A tabular MLP: the BatchNorm1d after the first layer has the wrong width."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(6)

mlp = nn.Sequential(
    nn.Linear(20, 64),
    nn.BatchNorm1d(32),
    nn.ReLU(),
    nn.Linear(64, 1),
)
X = torch.randn(64, 20)
Y = torch.randn(64, 1)
dl = DataLoader(TensorDataset(X, Y), batch_size=16)
opt = torch.optim.Adam(mlp.parameters(), lr=1e-2)
for xb, yb in dl:
    opt.zero_grad()
    loss = nn.functional.mse_loss(mlp(xb), yb)
    loss.backward()
    opt.step()
print(loss.item())
