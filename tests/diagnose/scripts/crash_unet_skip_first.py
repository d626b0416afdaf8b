"""Decoder stage concatenating (skip, upsampled) on 18x18 maps: 18 -> 9 -> 4 -> 8, not 9."""
import torch
import torch.nn as nn
from torch.nn import functional as fn

torch.manual_seed(50)


class Stage(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(2, 6, 3, padding=1)
        self.enc2 = nn.Conv2d(6, 12, 3, padding=1)
        self.enc3 = nn.Conv2d(12, 12, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec = nn.Conv2d(24, 6, 3, padding=1)
        self.out = nn.Conv2d(6, 1, 1)

    def forward(self, x):
        a = fn.relu(self.enc1(x))
        b = fn.relu(self.enc2(fn.max_pool2d(a, 2)))
        c = fn.relu(self.enc3(fn.max_pool2d(b, 2)))
        merged = torch.cat((b, self.up(c)), 1)
        d = fn.relu(self.dec(merged))
        return self.out(fn.interpolate(d, size=x.shape[2:]))


model = Stage()
opt = torch.optim.Adam(model.parameters())
x = torch.randn(3, 2, 18, 18)
opt.zero_grad()
model(x).mean().backward()
opt.step()
print("ok")
