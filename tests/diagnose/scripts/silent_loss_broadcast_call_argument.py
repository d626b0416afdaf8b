import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.SGD(net.parameters(), lr=0.05)
loss_fn = nn.SmoothL1Loss()
loader = DataLoader(TensorDataset(torch.randn(64, 4), torch.randn(64)), batch_size=16)
for x, t in loader:
    loss = loss_fn(net(x), t)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
