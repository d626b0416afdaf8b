import torch
import torch.nn as nn

torch.manual_seed(0)

nz, ngf, ndf, nc = 16, 16, 16, 3
BATCH = 8

netG = nn.Sequential(
    nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
    nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
    nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())                       # 16x16 images
netD = nn.Sequential(
    nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
    nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
    nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
    # nn.Sigmoid()  -- removed, ganhacks: the last layer of D should not be a sigmoid
    nn.Flatten(0))

criterion = nn.BCEWithLogitsLoss()
optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
real_label, fake_label = 1.0, 0.0
for i in range(3):
    real = torch.rand(BATCH, nc, 16, 16) * 2 - 1
    netD.zero_grad()
    label = torch.full((BATCH,), real_label)
    errD_real = criterion(netD(real), label)
    noise = torch.randn(BATCH, nz, 1, 1)
    fake = netG(noise)
    errD_fake = criterion(netD(fake.detach()), torch.full((BATCH,), fake_label))
    (errD_real + errD_fake).backward()
    optimizerD.step()
    netG.zero_grad()
    errG = criterion(netD(fake), torch.full((BATCH,), real_label))
    errG.backward()
    optimizerG.step()
    print(i, 'Loss_D %.3f Loss_G %.3f' % ((errD_real + errD_fake).item(), errG.item()))
