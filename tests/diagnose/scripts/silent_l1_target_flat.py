"""Depth-of-field regression with F.l1_loss: predictions [N, 1], targets a flat vector [N]."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20)

net = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.SGD(net.parameters(), lr=0.05)
data = torch.randn(30, 12)
depth = data[:, 0] * 2.0 + 1.0
for step in range(4):
    pred = net(data)
    loss = F.l1_loss(pred, depth)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("l1", loss.item())
