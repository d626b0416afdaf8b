import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

MIN_SIZE = 5
MAX_SIZE = 96
SCALE_FACTOR = 0.75
NUM_LAYER = 5


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 0), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2))


class WDiscriminator(nn.Module):
    def __init__(self, nfc=8):
        super().__init__()
        self.head = conv_block(3, nfc)
        self.body = nn.Sequential(*[conv_block(nfc, nfc) for _ in range(NUM_LAYER - 2)])
        self.tail = nn.Conv2d(nfc, 1, 3, 1, 0)

    def forward(self, x):
        return self.tail(self.body(self.head(x)))


def creat_reals_pyramid(real):
    h, w = real.shape[2:]
    n_scales = math.ceil(math.log(MIN_SIZE / min(h, w), SCALE_FACTOR)) + 1
    reals = []
    for i in range(n_scales):
        s = SCALE_FACTOR ** (n_scales - 1 - i)
        reals.append(F.interpolate(real, size=(max(1, round(h * s)), max(1, round(w * s))), mode='bicubic',
                                   align_corners=False))
    return reals


real = torch.rand(1, 3, 95, 65)          # my_original.jpg resized so that its long side <= MAX_SIZE
reals = creat_reals_pyramid(real)
for scale_num, real_s in enumerate(reals):
    netD = WDiscriminator()
    optimizerD = torch.optim.Adam(netD.parameters(), lr=5e-4, betas=(0.5, 0.999))
    for it in range(2):
        fake = torch.rand_like(real_s)
        errD = -netD(real_s).mean() + netD(fake).mean()
        optimizerD.zero_grad()
        errD.backward()
        optimizerD.step()
    print('scale', scale_num, tuple(real_s.shape[2:]), 'errD %.3f' % errD.item())
