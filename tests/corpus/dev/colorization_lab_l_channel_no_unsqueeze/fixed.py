import torch
import torch.nn as nn
import torch.optim as optim
from torch import cat
from torch.utils.data import DataLoader

torch.manual_seed(0)

# CIFAR-10 images already converted to CIE Lab and scaled to [0, 1]: [N, 3, 32, 32]
cielab_images = torch.rand(64, 3, 32, 32)
cielab_loader = DataLoader(cielab_images, batch_size=16, shuffle=True)


class UNet(nn.Module):
    """Generator: L channel in, ab channels out."""
    def __init__(self):
        super().__init__()
        self.down1 = nn.Sequential(nn.Conv2d(1, 64, 3, padding=1), nn.LeakyReLU(0.2))
        self.down2 = nn.Sequential(nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2))
        self.up1 = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU())
        self.out = nn.Sequential(nn.Conv2d(128, 2, 3, padding=1), nn.Tanh())

    def forward(self, x):
        d1 = self.down1(x)
        d2 = self.down2(d1)
        u1 = self.up1(d2)
        return self.out(cat([u1, d1], 1))


class DNet(nn.Module):
    """Discriminator on the Lab image (L as condition + ab)."""
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 1, 8), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x).view(-1)


generator = UNet()
discriminator = DNet()
d_optimizer = optim.Adam(discriminator.parameters(), betas=(0.5, 0.999), lr=0.0002)
g_optimizer = optim.Adam(generator.parameters(), betas=(0.5, 0.999), lr=0.0002)
d_criterion = nn.BCELoss()
g_criterion_1 = nn.BCELoss()
g_criterion_2 = nn.L1Loss()


def train_(epochs=1, g_lambda=100, smooth=0.1):
    for epoch in range(epochs):
        for i, lab_images in enumerate(cielab_loader):
            # split the lab images into luminance and chrominance channels
            l_images = lab_images[:, 0, :, :].unsqueeze(1)
            c_images = lab_images[:, 1:, :, :]
            # shift into [-1, 1]
            l_images = 2 * (l_images - 0.5)
            c_images = 2 * (c_images - 0.5)
            batch_size = l_images.shape[0]
            fake_images = generator(l_images)

            d_optimizer.zero_grad()
            logits = discriminator(cat([l_images, c_images], 1))
            d_real_loss = d_criterion(logits, (1 - smooth) * torch.ones(batch_size))
            logits = discriminator(cat([l_images, fake_images.detach()], 1))
            d_fake_loss = d_criterion(logits, torch.zeros(batch_size))
            d_loss = d_real_loss + d_fake_loss
            d_loss.backward()
            d_optimizer.step()

            g_optimizer.zero_grad()
            fake_logits = discriminator(cat([l_images, fake_images], 1))
            g_loss = g_criterion_1(fake_logits, torch.ones(batch_size)) + g_lambda * g_criterion_2(fake_images, c_images)
            g_loss.backward()
            g_optimizer.step()
        print('[%d] d_loss: %.5f g_loss: %.5f' % (epoch + 1, d_loss.item(), g_loss.item()))


train_()
