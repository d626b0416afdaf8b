import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class BasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, n_groups=8):
        super(BasicBlock, self).__init__()
        self.gn1 = nn.GroupNorm(n_groups, in_channels)
        self.conv1 = nn.Conv3d(in_channels, out_channels, kernel_size=3, padding=1)
        self.gn2 = nn.GroupNorm(n_groups, out_channels)
        self.conv2 = nn.Conv3d(out_channels, out_channels, kernel_size=3, padding=1)

    def forward(self, x):
        residual = x
        x = self.conv1(F.relu(self.gn1(x)))
        x = self.conv2(F.relu(self.gn2(x)))
        return x + residual


class VAEBranch(nn.Module):
    def __init__(self, input_shape, init_channels, out_channels, squeeze_channels=None):
        super(VAEBranch, self).__init__()
        self.input_shape = input_shape
        self.squeeze_channels = squeeze_channels or init_channels * 4
        self.hidden_conv = nn.Sequential(nn.GroupNorm(8, init_channels * 8),
                                         nn.ReLU(inplace=True),
                                         nn.Conv3d(init_channels * 8, self.squeeze_channels, 3, padding=1),
                                         nn.AdaptiveAvgPool3d(1))
        self.mu_fc = nn.Linear(self.squeeze_channels // 2, self.squeeze_channels // 2)
        self.logvar_fc = nn.Linear(self.squeeze_channels // 2, self.squeeze_channels // 2)
        recon_shape = np.prod(self.input_shape) // (16 ** 3)
        self.reconstraction = nn.Sequential(nn.Linear(self.squeeze_channels // 2, init_channels * 8 * recon_shape),
                                            nn.ReLU(inplace=True))
        self.vconv4 = nn.Sequential(nn.Conv3d(init_channels * 8, init_channels * 8, 1), nn.Upsample(scale_factor=2))
        self.vconv3 = nn.Sequential(nn.Conv3d(init_channels * 8, init_channels * 4, 3, padding=1),
                                    nn.Upsample(scale_factor=2), BasicBlock(init_channels * 4, init_channels * 4))
        self.vconv2 = nn.Sequential(nn.Conv3d(init_channels * 4, init_channels * 2, 3, padding=1),
                                    nn.Upsample(scale_factor=2), BasicBlock(init_channels * 2, init_channels * 2))
        self.vconv1 = nn.Sequential(nn.Conv3d(init_channels * 2, init_channels, 3, padding=1),
                                    nn.Upsample(scale_factor=2), BasicBlock(init_channels, init_channels))
        self.vconv0 = nn.Conv3d(init_channels, out_channels, 1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return torch.randn_like(std) * std + mu

    def forward(self, x):
        x = self.hidden_conv(x)
        batch_size = x.size()[0]
        x = x.view((batch_size, -1))
        mu = self.mu_fc(x[:, :self.squeeze_channels // 2])
        logvar = self.logvar_fc(x[:, self.squeeze_channels // 2:])
        z = self.reparameterize(mu, logvar)
        re_x = self.reconstraction(z)
        recon_shape = [batch_size,
                       self.squeeze_channels // 2,
                       self.input_shape[0] // 16,
                       self.input_shape[1] // 16,
                       self.input_shape[2] // 16]
        re_x = re_x.view(recon_shape)
        x = self.vconv4(re_x)
        x = self.vconv3(x)
        x = self.vconv2(x)
        x = self.vconv1(x)
        return self.vconv0(x), mu, logvar


class UNet3D(nn.Module):
    """Encoder with three stride-2 stages (input / 8) and a decoder with additive skips."""
    def __init__(self, in_channels=4, out_channels=3, init_channels=8):
        super(UNet3D, self).__init__()
        c = init_channels
        self.conv1a = nn.Conv3d(in_channels, c, 3, padding=1)
        self.ds1 = nn.Conv3d(c, c * 2, 3, stride=2, padding=1)
        self.ds2 = nn.Conv3d(c * 2, c * 4, 3, stride=2, padding=1)
        self.ds3 = nn.Conv3d(c * 4, c * 8, 3, stride=2, padding=1)
        self.conv4 = BasicBlock(c * 8, c * 8)
        self.up4conva = nn.Conv3d(c * 8, c * 4, 1)
        self.up3conva = nn.Conv3d(c * 4, c * 2, 1)
        self.up2conva = nn.Conv3d(c * 2, c, 1)
        self.up1conv = nn.Conv3d(c, out_channels, 1)

    def forward(self, x):
        c1 = self.conv1a(x)
        c2 = self.ds1(c1)
        c3 = self.ds2(c2)
        c4d = self.conv4(self.ds3(c3))
        u4 = F.interpolate(self.up4conva(c4d), scale_factor=2) + c3
        u3 = F.interpolate(self.up3conva(u4), scale_factor=2) + c2
        u2 = F.interpolate(self.up2conva(u3), scale_factor=2) + c1
        return torch.sigmoid(self.up1conv(u2)), c4d


class UnetVAE3D(nn.Module):
    def __init__(self, input_shape, in_channels=4, out_channels=3, init_channels=8):
        super(UnetVAE3D, self).__init__()
        self.unet = UNet3D(in_channels, out_channels, init_channels)
        self.vae_branch = VAEBranch(input_shape, init_channels, out_channels=in_channels)

    def forward(self, x):
        uout, c4d = self.unet(x)
        vout, mu, logvar = self.vae_branch(c4d)
        return uout, vout, mu, logvar


def soft_dice_loss(pred, target, eps=1e-5):
    inter = (pred * target).sum(dim=(2, 3, 4))
    union = pred.sum(dim=(2, 3, 4)) + target.sum(dim=(2, 3, 4))
    return 1 - ((2 * inter + eps) / (union + eps)).mean()


input_shape = (32, 32, 32)            # cropped patch (H, W, D)
images = torch.randn(4, 4, *input_shape)            # 4 MRI modalities
labels = (torch.rand(4, 3, *input_shape) > 0.8).float()   # WT / TC / ET masks

model = UnetVAE3D(input_shape, in_channels=4, out_channels=3, init_channels=8)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

for it in range(2):
    idx = torch.randperm(4)[:2]
    x, y = images[idx], labels[idx]
    uout, vout, mu, logvar = model(x)
    kl = torch.mean(mu ** 2 + logvar.exp() - logvar - 1)
    loss = soft_dice_loss(uout, y) + 0.1 * F.mse_loss(vout, x) + 0.1 * kl
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print("iter", it, "loss %.4f" % loss.item(), "vae out", tuple(vout.shape))
