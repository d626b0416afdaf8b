"""A two-level U-Net on 50x50 masks: 50 -> 25 -> 12, and 12 upsamples to 24, not 25."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(13)


def double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU())


class TinyUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.down1 = double_conv(1, 8)
        self.down2 = double_conv(8, 16)
        self.bottom = double_conv(16, 16)
        self.up2 = nn.ConvTranspose2d(16, 16, 2, stride=2)
        self.dec2 = double_conv(32, 16)
        self.up1 = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec1 = double_conv(16, 8)
        self.head = nn.Conv2d(8, 1, 1)

    def forward(self, x):
        s1 = self.down1(x)
        s2 = self.down2(F.max_pool2d(s1, 2))
        b = self.bottom(F.max_pool2d(s2, 2))
        u2 = self.up2(b)
        d2 = self.dec2(torch.cat([u2, s2], dim=1))
        u1 = self.up1(d2)
        d1 = self.dec1(torch.cat([u1, s1], dim=1))
        return self.head(d1)


net = TinyUNet()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
img = torch.randn(2, 1, 50, 50)
mask = (torch.rand(2, 1, 50, 50) > 0.5).float()
for _ in range(2):
    opt.zero_grad()
    loss = F.binary_cross_entropy_with_logits(net(img), mask)
    loss.backward()
    opt.step()
print("loss", loss.item())
