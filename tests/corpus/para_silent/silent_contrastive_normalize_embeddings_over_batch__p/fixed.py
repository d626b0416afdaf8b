import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class TabularEncoder(nn.Module):
    def __init__(self, n_in=20, width=96, out_dim=48):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU())
        self.proj = nn.Linear(width, out_dim)

    def forward(self, rows):
        z = self.proj(self.body(rows))
        z = z / z.norm(dim=1, keepdim=True)
        return z


def info_nce(a, b, tau=0.2):
    sim = torch.matmul(a, b.T) / tau
    target = torch.arange(a.shape[0])
    return F.cross_entropy(sim, target)


table = torch.randn(240, 20)
enc = TabularEncoder()
opt = torch.optim.SGD(enc.parameters(), lr=0.05)
for epoch in range(2):
    order = torch.randperm(240)
    for start in range(0, 240, 48):
        rows = table[order[start:start + 48]]
        mask = (torch.rand_like(rows) > 0.2).float()
        loss = info_nce(enc(rows * mask), enc(rows + 0.05 * torch.randn_like(rows)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, round(loss.item(), 4))
