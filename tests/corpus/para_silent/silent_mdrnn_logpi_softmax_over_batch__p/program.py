import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class MDN(nn.Module):
    def __init__(self, n_in=1, hidden=32, k=4):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, hidden), nn.Tanh())
        self.pi_head = nn.Linear(hidden, k)
        self.mu_head = nn.Linear(hidden, k)
        self.sigma_head = nn.Linear(hidden, k)

    def forward(self, x):
        h = self.body(x)
        pi = F.softmax(self.pi_head(h), dim=0)
        return pi, self.mu_head(h), torch.exp(self.sigma_head(h)).clamp(min=1e-3)


def mdn_nll(pi, mu, sigma, y):
    log_n = -0.5 * ((y - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)
    return -torch.logsumexp(torch.log(pi + 1e-8) + log_n, dim=1).mean()


x = torch.rand(256, 1) * 6 - 3
y = torch.sin(x) + 0.1 * torch.randn_like(x)
net = MDN()
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
for step in range(20):
    idx = torch.randint(0, 256, (64,))
    loss = mdn_nll(*net(x[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
print('nll', loss.item())
