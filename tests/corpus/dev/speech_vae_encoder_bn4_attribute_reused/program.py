import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class EncoderBig(nn.Module):
    def __init__(self, z_dim, hidden_dim):
        super(EncoderBig, self).__init__()
        self.conv1 = nn.Conv2d(1, 64, (80, 1), (1, 1), padding=(0, 0))
        self.bn1 = nn.BatchNorm2d(64)
        self.conv2 = nn.Conv2d(64, 64, (1, 1), (1, 1), (0, 0))
        self.bn2 = nn.BatchNorm2d(64)
        self.conv3 = nn.Conv2d(64, 128, (1, 4), (1, 2), (0, 1))
        self.bn3 = nn.BatchNorm2d(128)
        self.conv4 = nn.Conv2d(128, 128, (1, 1), (1, 1), (0, 0))
        self.bn4 = nn.BatchNorm2d(128)
        self.conv5 = nn.Conv2d(128, 256, (1, 4), (1, 2), (0, 1))
        self.bn5 = nn.BatchNorm2d(256)
        self.conv6 = nn.Conv2d(256, 256, (1, 1), (1, 1), (0, 0))
        self.bn6 = nn.BatchNorm2d(256)
        self.fc = nn.Linear(256 * 5, hidden_dim)
        self.bn4 = nn.BatchNorm1d(hidden_dim)
        self.mu_layer = nn.Linear(hidden_dim, z_dim)
        self.scale_layer = nn.Linear(hidden_dim, z_dim)
        self.lrelu = nn.LeakyReLU(inplace=True)

    def forward(self, x):
        x = self.lrelu(self.bn1(self.conv1(x)))       # [B, 64, 1, 20]
        x = self.lrelu(self.bn2(self.conv2(x)))
        x = self.lrelu(self.bn3(self.conv3(x)))       # [B, 128, 1, 10]
        x = self.lrelu(self.bn4(self.conv4(x)))
        x = self.lrelu(self.bn5(self.conv5(x)))       # [B, 256, 1, 5]
        x = self.lrelu(self.bn6(self.conv6(x)))
        x = x.view(x.size(0), -1)
        hidden = self.lrelu(self.bn4(self.fc(x)))
        z_loc = self.mu_layer(hidden)
        z_scale = F.softplus(self.scale_layer(hidden)) + 1e-4
        return z_loc, z_scale


class Decoder(nn.Module):
    def __init__(self, z_dim, hidden_dim):
        super().__init__()
        self.fc1 = nn.Linear(z_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, 80 * 20)

    def forward(self, z):
        return self.fc2(F.relu(self.fc1(z))).view(-1, 1, 80, 20)


# log-mel segments: 80 mel bins x 20 frames
feats = torch.randn(64, 1, 80, 20)
loader = DataLoader(TensorDataset(feats), batch_size=16, shuffle=True)
encoder, decoder = EncoderBig(z_dim=16, hidden_dim=128), Decoder(z_dim=16, hidden_dim=128)
optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)

for epoch in range(2):
    for (x,) in loader:
        z_loc, z_scale = encoder(x)
        z = z_loc + z_scale * torch.randn_like(z_scale)
        recon = decoder(z)
        kl = (0.5 * (z_loc ** 2 + z_scale ** 2 - 1) - torch.log(z_scale)).sum(1).mean()
        loss = F.mse_loss(recon, x, reduction='none').sum((1, 2, 3)).mean() + kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'elbo loss', loss.item())
