import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class View(nn.Module):
    def __init__(self, size):
        super(View, self).__init__()
        self.size = size

    def forward(self, tensor):
        return tensor.view(self.size)


class VAE(nn.Module):
    """Encoder-Decoder of VAAL for 32x32 CIFAR images (channel widths / 4)."""
    def __init__(self, z_dim=32, nc=3):
        super(VAE, self).__init__()
        self.z_dim = z_dim
        self.encoder = nn.Sequential(
            nn.Conv2d(nc, 32, 4, 2, 1, bias=False),              # B,  32, 32, 32
            nn.BatchNorm2d(32),
            nn.ReLU(True),
            nn.Conv2d(32, 64, 4, 2, 1, bias=False),              # B,  64, 16, 16
            nn.BatchNorm2d(64),
            nn.ReLU(True),
            nn.Conv2d(64, 128, 4, 2, 1, bias=False),             # B, 128,  8,  8
            nn.BatchNorm2d(128),
            nn.ReLU(True),
            nn.Conv2d(128, 256, 4, 2, 1, bias=False),            # B, 256,  4,  4
            nn.BatchNorm2d(256),
            nn.ReLU(True),
            View((-1, 256 * 2 * 2)),                             # B, 256*4*4
        )
        self.fc_mu = nn.Linear(256 * 2 * 2, z_dim)               # B, z_dim
        self.fc_logvar = nn.Linear(256 * 2 * 2, z_dim)           # B, z_dim
        self.decoder = nn.Sequential(
            nn.Linear(z_dim, 256 * 4 * 4),                       # B, 256*8*8
            View((-1, 256, 4, 4)),                               # B, 256,  8,  8
            nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False),   # B, 128, 16, 16
            nn.BatchNorm2d(128),
            nn.ReLU(True),
            nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False),    # B,  64, 32, 32
            nn.BatchNorm2d(64),
            nn.ReLU(True),
            nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False),     # B,  32, 64, 64
            nn.BatchNorm2d(32),
            nn.ReLU(True),
            nn.ConvTranspose2d(32, nc, 1),                       # B,  nc, 64, 64
        )
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                init.kaiming_normal_(m.weight)
                if m.bias is not None:
                    m.bias.data.fill_(0)

    def forward(self, x):
        z = self.encoder(x)
        mu, logvar = self.fc_mu(z), self.fc_logvar(z)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return self.decoder(z), z, mu, logvar


class Discriminator(nn.Module):
    def __init__(self, z_dim=32):
        super(Discriminator, self).__init__()
        self.net = nn.Sequential(nn.Linear(z_dim, 512), nn.ReLU(True), nn.Linear(512, 512), nn.ReLU(True),
                                 nn.Linear(512, 1), nn.Sigmoid())

    def forward(self, z):
        return self.net(z)


def vae_loss(x, recon, mu, logvar, beta=1.0):
    mse = F.mse_loss(recon, x)
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.size(0)
    return mse + beta * kld


# CIFAR-10 sized data: a small labelled pool and a larger unlabelled pool
labeled = DataLoader(TensorDataset(torch.rand(64, 3, 32, 32)), batch_size=16, shuffle=True, drop_last=True)
unlabeled = DataLoader(TensorDataset(torch.rand(128, 3, 32, 32)), batch_size=16, shuffle=True, drop_last=True)

vae, discriminator = VAE(32), Discriminator(32)
optim_vae = torch.optim.Adam(vae.parameters(), lr=5e-4)
optim_d = torch.optim.Adam(discriminator.parameters(), lr=5e-4)
bce = nn.BCELoss()

for it, ((x_l,), (x_u,)) in enumerate(zip(labeled, unlabeled)):
    recon, z, mu, logvar = vae(x_l)
    unlab_recon, unlab_z, unlab_mu, unlab_logvar = vae(x_u)
    transductive = vae_loss(x_l, recon, mu, logvar) + vae_loss(x_u, unlab_recon, unlab_mu, unlab_logvar)
    lab_real_preds = torch.ones(x_l.size(0), 1)
    unlab_real_preds = torch.ones(x_u.size(0), 1)
    adv = bce(discriminator(mu), lab_real_preds) + bce(discriminator(unlab_mu), unlab_real_preds)
    total_vae_loss = transductive + adv
    optim_vae.zero_grad()
    total_vae_loss.backward()
    optim_vae.step()

    with torch.no_grad():
        _, _, mu, _ = vae(x_l)
        _, _, unlab_mu, _ = vae(x_u)
    dsc_loss = bce(discriminator(mu), torch.ones(x_l.size(0), 1)) + bce(discriminator(unlab_mu), torch.zeros(x_u.size(0), 1))
    optim_d.zero_grad()
    dsc_loss.backward()
    optim_d.step()
    print("iter", it, "recon", tuple(recon.shape), "vae %.4f dsc %.4f" % (total_vae_loss.item(), dsc_loss.item()))
