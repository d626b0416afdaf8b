import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(3)


class DropPath(nn.Module):
    """Skip the wrapped block for the whole batch with probability drop_rate (training only)."""
    def __init__(self, drop_rate, module):
        super().__init__()
        self.drop_rate = drop_rate
        self.module = module

    def forward(self, x):
        if self.training and torch.rand(1).item() < self.drop_rate:
            return x
        out = self.module(x)
        factor = 1.0 / (1 - self.drop_rate) if self.training else 1.0
        return x + factor * (out - x)


class NAFBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(F.gelu(self.conv1(x)))


class SRNet(nn.Module):
    def __init__(self, c=16, n_blocks=6, drop_path_rate=0.3):
        super().__init__()
        self.intro = nn.Conv2d(3, c, 3, padding=1)
        self.body = nn.Sequential(*[DropPath(drop_path_rate * i / (n_blocks - 1), NAFBlock(c)) for i in range(n_blocks)])
        self.up = nn.Sequential(nn.Conv2d(c, 3 * 4, 3, padding=1), nn.PixelShuffle(2))

    def forward(self, lr):
        return self.up(self.body(self.intro(lr))) + F.interpolate(lr, scale_factor=2, mode='bilinear', align_corners=False)


model = SRNet()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
lr_images, hr_images = torch.rand(4, 3, 24, 24), torch.rand(4, 3, 48, 48)
for step in range(4):
    loss = F.l1_loss(model(lr_images), hr_images)
    optimizer.zero_grad()
    loss.backward()
    skipped = [i for i, blk in enumerate(model.body) if blk.module.conv1.weight.grad is None]
    optimizer.step()
    print('step', step, 'loss', round(loss.item(), 4), 'blocks skipped this step', skipped)
