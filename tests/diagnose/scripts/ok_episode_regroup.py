"""Prototypical networks: embed the support set [n_way * n_shot, D], regroup it per class."""
import torch
import torch.nn as nn

torch.manual_seed(44)
n_way, n_shot, n_query, dim = 5, 3, 4, 8

encoder = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, dim))
opt = torch.optim.Adam(encoder.parameters(), lr=1e-3)
for episode in range(2):
    support = torch.randn(n_way * n_shot, 16)
    query = torch.randn(n_way * n_query, 16)
    target = torch.arange(n_way).repeat_interleave(n_query)
    z_support = encoder(support)
    protos = z_support.view(n_way, n_shot, dim).mean(dim=1)
    dists = torch.cdist(encoder(query), protos)
    loss = nn.functional.cross_entropy(-dists, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
