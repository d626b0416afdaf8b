import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(cout, cout, 3, padding=1), nn.LeakyReLU(0.2))


class UNetConvBlock(nn.Module):
    def __init__(self, cin, cout, downsample):
        super().__init__()
        self.block = conv_block(cin, cout)
        self.downsample = nn.Conv2d(cout, cout, 4, 2, 1, bias=False) if downsample else None

    def forward(self, x):
        out = self.block(x)
        return (self.downsample(out), out) if self.downsample is not None else (out, out)


class UNetUpBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cout, 2, stride=2)
        self.conv_block = conv_block(cout * 2, cout)

    def forward(self, x, bridge):
        up = self.up(x)
        out = torch.cat([up, bridge], 1)
        return self.conv_block(out)


class HINetLite(nn.Module):
    def __init__(self, wf=8):
        super().__init__()
        self.conv_01 = nn.Conv2d(3, wf, 3, padding=1)
        self.down = nn.ModuleList([UNetConvBlock(wf, wf, True), UNetConvBlock(wf, 2 * wf, True),
                                   UNetConvBlock(2 * wf, 4 * wf, True), UNetConvBlock(4 * wf, 8 * wf, False)])
        self.up = nn.ModuleList([UNetUpBlock(8 * wf, 4 * wf), UNetUpBlock(4 * wf, 2 * wf), UNetUpBlock(2 * wf, wf)])
        self.last = nn.Conv2d(wf, 3, 3, padding=1)

    def forward(self, x):
        image = x
        x1 = self.conv_01(x)
        encs = []
        for down in self.down:
            x1, x1_up = down(x1)
            encs.append(x1_up)
        for i, up in enumerate(self.up):
            x1 = up(x1, encs[-i - 2])
        return self.last(x1) + image


def restore(model, noisy):
    x = noisy
    return model(x)


def psnr(a, b):
    return 10 * torch.log10(1.0 / F.mse_loss(a.clamp(0, 1), b))


model = HINetLite().eval()
gt = torch.rand(1, 3, 84, 84)                   # an SIDD validation crop
noisy = (gt + 0.05 * torch.randn_like(gt)).clamp(0, 1)
with torch.no_grad():
    restored = restore(model, noisy)
print('PSNR %.2f dB' % psnr(restored, gt).item())
