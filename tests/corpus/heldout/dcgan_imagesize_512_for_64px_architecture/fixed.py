import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)

parser = argparse.ArgumentParser()
parser.add_argument('--batchSize', type=int, default=16, help='input batch size')
parser.add_argument('--imageSize', type=int, default=64, help='the height / width of the input image to network')
parser.add_argument('--nz', type=int, default=100, help='size of the latent z vector')
parser.add_argument('--ngf', type=int, default=16)
parser.add_argument('--ndf', type=int, default=16)
parser.add_argument('--nc', type=int, default=1, help='grayscale scans')
opt = parser.parse_args([])


class ScanFolder(Dataset):
    """The user's 512x512 grayscale images, resized to opt.imageSize and scaled to [-1, 1]."""

    def __init__(self, n, size):
        g = torch.Generator().manual_seed(1)
        self.images = torch.rand(n, 1, 512, 512, generator=g)
        self.size = size

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = F.interpolate(self.images[i:i + 1], size=(self.size, self.size), mode='bilinear', align_corners=False)[0]
        return img * 2 - 1, 0


class Generator(nn.Module):        # nz -> 4 -> 8 -> 16 -> 32 -> 64
    def __init__(self, nz, ngf, nc):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):    # 64 -> 32 -> 16 -> 8 -> 4 -> 1
    def __init__(self, ndf, nc):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.main(x).view(-1, 1).squeeze(1)


dataloader = DataLoader(ScanFolder(32, opt.imageSize), batch_size=opt.batchSize, shuffle=True)
netG, netD = Generator(opt.nz, opt.ngf, opt.nc), Discriminator(opt.ndf, opt.nc)
criterion = nn.BCELoss()
optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
for i, (real_cpu, _) in enumerate(dataloader):
    batch_size = real_cpu.size(0)
    label = torch.full((batch_size,), 1.0)
    netD.zero_grad()
    output = netD(real_cpu)
    errD_real = criterion(output, label)
    noise = torch.randn(batch_size, opt.nz, 1, 1)
    fake = netG(noise)
    errD_fake = criterion(netD(fake.detach()), torch.zeros(batch_size))
    (errD_real + errD_fake).backward()
    optimizerD.step()
    netG.zero_grad()
    errG = criterion(netD(fake), torch.ones(batch_size))
    errG.backward()
    optimizerG.step()
    print('[%d] Loss_D %.4f Loss_G %.4f' % (i, (errD_real + errD_fake).item(), errG.item()))
