"""A two-level U-Net trained on scans resized to 50x50: the second pooling floors
25 to 12, the up-convolution gives 24 back, and the skip connection has 25."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
IMAGE_SIZE = 50


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1, self.enc2, self.mid = block(1, 4), block(4, 8), block(8, 16)
        self.up2, self.dec2 = nn.ConvTranspose2d(16, 8, 2, stride=2), block(16, 8)
        self.up1, self.dec1 = nn.ConvTranspose2d(8, 4, 2, stride=2), block(8, 4)
        self.out = nn.Conv2d(4, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([e2, self.up2(m)], dim=1))
        d1 = self.dec1(torch.cat([e1, self.up1(d2)], dim=1))
        return self.out(d1)


scans = F.interpolate(torch.rand(6, 1, 64, 64), size=(IMAGE_SIZE, IMAGE_SIZE))
masks = (scans > 0.5).float()
model = UNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in DataLoader(TensorDataset(scans, masks), batch_size=3):
    loss = F.binary_cross_entropy_with_logits(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
