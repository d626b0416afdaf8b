import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)


class AnnDataLike:
    """Cells x genes count matrix, as read from the .h5ad file (scanpy keeps float64)."""

    def __init__(self, X):
        self.X = X
        self.n_obs, self.n_vars = X.shape


def highly_variable(adata, n_top):
    var = adata.X.var(0)
    keep = np.argsort(var)[::-1][:n_top]
    return AnnDataLike(adata.X[:, np.sort(keep)])


class TNODE(nn.Module):
    """Variational encoder over expression, pseudotime head, NB-style decoder."""

    def __init__(self, n_genes, n_latent=5, n_hidden=64):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(n_genes, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 2 * n_latent))
        self.time = nn.Sequential(nn.Linear(n_genes, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 1), nn.Sigmoid())
        self.decoder = nn.Sequential(nn.Linear(n_latent, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_genes))

    def forward(self, x):
        x_log = torch.log1p(x)
        mu, logvar = self.encoder(x_log).chunk(2, -1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return self.decoder(z), self.time(x_log), mu, logvar


class Trainer:
    def __init__(self, adata, batch_size=128, lr=1e-3):
        self.X = torch.tensor(adata.X)
        self.model = TNODE(adata.n_vars)
        self.loader = DataLoader(TensorDataset(self.X), batch_size=batch_size, shuffle=True)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=lr)

    def train(self, epochs=2):
        for epoch in range(epochs):
            for (x,) in self.loader:
                rate, t, mu, logvar = self.model(x)
                recon = F.poisson_nll_loss(rate, x, log_input=True)
                kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
                loss = recon + kl
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
            print('epoch', epoch, 'loss', round(loss.item(), 4))


counts = rng.poisson(1.5, size=(512, 600)).astype(np.float64)
adata = AnnDataLike(counts.astype(np.float32))
adata = highly_variable(adata, n_top=200)
tnode = Trainer(adata)
tnode.train()
