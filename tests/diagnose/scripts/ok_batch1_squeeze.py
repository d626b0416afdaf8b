"""Batch size 1 by design (one variable-size image at a time): squeeze() of the batch is harmless."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)

net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 1, 1))
images = torch.randn(6, 1, 10, 10)
masks = torch.rand(6, 10, 10)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for img, mask in DataLoader(TensorDataset(images, masks), batch_size=1):
    opt.zero_grad()
    pred = net(img).squeeze()
    loss = nn.functional.mse_loss(pred, mask.squeeze())
    loss.backward()
    opt.step()
print("loss", loss.item())
