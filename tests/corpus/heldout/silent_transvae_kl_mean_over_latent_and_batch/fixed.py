import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

VOCAB, MAX_LEN, D_MODEL, D_LATENT = 40, 24, 64, 32


def vae_loss(x, x_out, mu, logvar, true_prop, pred_prop, weights, beta=1):
    "Binary Cross Entropy Loss + Kiebler-Lublach Divergence"
    x = x.long()[:, 1:] - 1
    x = x.contiguous().view(-1)
    x_out = x_out.contiguous().view(-1, x_out.size(2))
    BCE = F.cross_entropy(x_out, x, reduction='mean', weight=weights)
    KLD = beta * -0.5 * torch.mean(torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1))
    if pred_prop is not None:
        MSE = F.mse_loss(pred_prop.squeeze(-1), true_prop)
    else:
        MSE = torch.tensor(0.)
    return BCE + KLD + MSE, BCE, KLD, MSE


class RNNVAE(nn.Module):
    """GRU encoder/decoder over SMILES tokens with a Gaussian latent and a property head."""
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB + 1, D_MODEL, padding_idx=0)
        self.encoder = nn.GRU(D_MODEL, D_MODEL, batch_first=True)
        self.z_means = nn.Linear(D_MODEL, D_LATENT)
        self.z_var = nn.Linear(D_MODEL, D_LATENT)
        self.z2h = nn.Linear(D_LATENT, D_MODEL)
        self.decoder = nn.GRU(D_MODEL, D_MODEL, batch_first=True)
        self.generator = nn.Linear(D_MODEL, VOCAB)
        self.predictor = nn.Sequential(nn.Linear(D_LATENT, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, src):
        _, h = self.encoder(self.embed(src))
        mu, logvar = self.z_means(h[-1]), self.z_var(h[-1])
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        out, _ = self.decoder(self.embed(src[:, :-1]), self.z2h(z).unsqueeze(0).contiguous())
        return self.generator(out), mu, logvar, self.predictor(mu)


smiles = torch.randint(1, VOCAB + 1, (96, MAX_LEN))
props = torch.randn(96)
weights = torch.ones(VOCAB)
model = RNNVAE()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
for epoch in range(3):
    for i in range(0, 96, 32):
        src = smiles[i:i + 32]
        x_out, mu, logvar, pred_prop = model(src)
        loss, bce, kld, mse = vae_loss(src, x_out, mu, logvar, props[i:i + 32], pred_prop, weights, beta=0.05)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f'epoch {epoch} loss {loss.item():.4f} bce {bce.item():.4f} kld {kld.item():.4f} mse {mse.item():.4f}')
