"""Super-resolution by sub-pixel convolution: the targets were made with a x3 downscale, but the
network is built for x2. The upscale factor is set once and sizes both the last conv and the
shuffle."""
import torch
import torch.nn as nn


class SubPixelNet(nn.Module):
    def __init__(self, upscale_factor):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, upscale_factor ** 2, 3, padding=1)
        self.shuffle = nn.PixelShuffle(upscale_factor)

    def forward(self, x):
        return self.shuffle(self.conv2(torch.relu(self.conv1(x))))


UPSCALE = 2
torch.manual_seed(0)
model = SubPixelNet(UPSCALE)
lr_img = torch.randn(4, 1, 32, 32)
hr_img = torch.randn(4, 1, 96, 96)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(3):
    loss = nn.functional.mse_loss(model(lr_img), hr_img)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
