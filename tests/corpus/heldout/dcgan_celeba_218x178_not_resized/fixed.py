import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class Config:
    batch_size = 16
    image_size = 64
    z_size = 100
    num_filt_g = 16
    num_filt_d = 16
    learning_rate = 0.0002
    beta1 = 0.5
    max_iters = 3


def normalize(img):
    return (img - 0.5) / 0.5


class CelebADataset(Dataset):
    """Aligned CelebA frames as stored on disk: 3 x 218 x 178."""
    def __init__(self, n):
        self.images = torch.rand(n, 3, 218, 178)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = self.images[i]
        img = normalize(F.interpolate(img[None, :, 20:198, :], size=(64, 64), mode='bilinear', align_corners=False)[0])
        return img


class Generator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ngf = cfg.num_filt_g
        self.net = nn.Sequential(
            nn.ConvTranspose2d(cfg.z_size, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())       # 3 x 64 x 64

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ndf = cfg.num_filt_d
        self.net = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.net(x).view(-1)


class DCGANAgent:
    def __init__(self, cfg):
        self.cfg = cfg
        self.netG, self.netD = Generator(cfg), Discriminator(cfg)
        self.loss = nn.BCELoss()
        self.optimG = torch.optim.Adam(self.netG.parameters(), lr=cfg.learning_rate, betas=(cfg.beta1, 0.999))
        self.optimD = torch.optim.Adam(self.netD.parameters(), lr=cfg.learning_rate, betas=(cfg.beta1, 0.999))
        self.loader = DataLoader(CelebADataset(48), batch_size=cfg.batch_size, shuffle=True)

    def train_one_epoch(self):
        for it, x in enumerate(self.loader):
            b = x.size(0)
            real_label = torch.full((b,), 1.0)
            fake_label = torch.full((b,), 0.0)
            # --- discriminator ---
            self.optimD.zero_grad()
            out = self.netD(x)
            loss_D_real = self.loss(out, real_label)
            noise = torch.randn(b, self.cfg.z_size, 1, 1)
            fake = self.netG(noise)
            loss_D_fake = self.loss(self.netD(fake.detach()), fake_label)
            (loss_D_real + loss_D_fake).backward()
            self.optimD.step()
            # --- generator ---
            self.optimG.zero_grad()
            loss_G = self.loss(self.netD(fake), real_label)
            loss_G.backward()
            self.optimG.step()
            print("iter", it, "loss_D %.4f" % (loss_D_real + loss_D_fake).item(), "loss_G %.4f" % loss_G.item())
            if it + 1 == self.cfg.max_iters:
                break


DCGANAgent(Config()).train_one_epoch()
