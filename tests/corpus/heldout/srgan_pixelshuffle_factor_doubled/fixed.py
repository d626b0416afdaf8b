import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

UPSCALE = 2
LR_SIZE = 24


class UpsampleBlock(nn.Module):
    def __init__(self, in_ch, out_ch, upscale_factor):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch * upscale_factor ** 2, 3, padding=1)
        self.shuffle = nn.PixelShuffle(upscale_factor)

    def forward(self, x):
        return self.shuffle(self.conv(x))


class Generator(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.head = nn.Sequential(nn.Conv2d(3, 16, 5, padding=2), nn.PReLU())
        self.body = nn.Sequential(*[nn.Sequential(nn.Conv2d(16, 16, 3, padding=1), nn.PReLU()) for _ in range(2)])
        self.tail = UpsampleBlock(16, 3, scale)

    def forward(self, x):
        h = self.head(x)
        return torch.tanh(self.tail(h + self.body(h)))


def make_pairs(n):
    hr = torch.rand(n, 3, LR_SIZE * UPSCALE, LR_SIZE * UPSCALE)
    lr = F.interpolate(hr, scale_factor=1 / UPSCALE, mode='bicubic', align_corners=False)
    return lr, hr


netG = Generator(UPSCALE)
optimizerG = torch.optim.Adam(netG.parameters(), lr=1e-4)
for step in range(3):
    lr_img, hr_img = make_pairs(4)
    sr_img = netG(lr_img)
    g_loss = F.mse_loss(sr_img, hr_img)
    optimizerG.zero_grad()
    g_loss.backward()
    optimizerG.step()
    print('step', step, 'mse', g_loss.item())
