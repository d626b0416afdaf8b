import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)


class CheXpertCrops(Dataset):
    def __init__(self, n=8, size=60):
        self.images = torch.rand(n, 1, size, size)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, idx):
        img = self.images[idx]
        return {'source': img}


class VAE(nn.Module):
    def __init__(self, ch=(8, 16, 32), latent=4):
        super().__init__()
        enc, cin = [], 1
        for c in ch:
            enc += [nn.Conv2d(cin, c, 3, 2, 1), nn.SiLU()]
            cin = c
        self.encoder = nn.Sequential(*enc, nn.Conv2d(cin, 2 * latent, 1))
        dec, cin = [nn.Conv2d(latent, ch[-1], 1)], ch[-1]
        for c in reversed(ch):
            dec += [nn.Upsample(scale_factor=2), nn.Conv2d(cin, c, 3, padding=1), nn.SiLU()]
            cin = c
        self.decoder = nn.Sequential(*dec, nn.Conv2d(cin, 1, 1))

    def forward(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return self.decoder(z), mu, logvar


def vae_loss(x, x_hat, mu, logvar):
    rec = (x_hat - x).abs().mean()
    kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
    return rec + 1e-6 * kl


model = VAE()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
loader = DataLoader(CheXpertCrops(), batch_size=4, shuffle=True)
for epoch in range(2):
    for batch in loader:
        x = batch['source']
        x_hat, mu, logvar = model(x)
        loss = vae_loss(x, x_hat, mu, logvar)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
