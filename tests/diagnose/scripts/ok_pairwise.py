"""Metric learning step: query-to-prototype distances built with None / unsqueeze broadcasting."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(32)

embed = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 8))
prototypes = nn.Parameter(torch.randn(5, 8))
opt = torch.optim.Adam(list(embed.parameters()) + [prototypes], lr=1e-3)
queries = torch.randn(40, 16)
qlabels = torch.randint(0, 5, (40,))
for qb, lb in DataLoader(TensorDataset(queries, qlabels), batch_size=10):
    q = embed(qb)
    dist = (q[:, None, :] - prototypes[None, :, :]).norm(dim=-1)
    sq = ((q.unsqueeze(1) - prototypes.unsqueeze(0)) ** 2).sum(-1)
    loss = nn.functional.cross_entropy(-dist, lb) + 0.01 * sq.mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    acc = (dist.argmin(dim=1) == lb).float().mean()
print(loss.item(), acc.item())
