import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class InitialConditionDataset(Dataset):
    """Points (x, y, t=0) with the initial field u0(x, y) of a 2-D heat equation."""
    def __init__(self, n=512):
        self.x = torch.rand(n, 3)
        self.x[:, 2] = 0.0
        self.u0 = torch.sin(math.pi * self.x[:, 0]) * torch.sin(math.pi * self.x[:, 1])   # [n]

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.u0[i]


class PDEDataset(Dataset):
    def __init__(self, n=512):
        self.x = torch.rand(n, 3)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


class InitialCondition:
    def __init__(self, dataset, weight=1.0):
        self.dataset, self.weight = dataset, weight
        self.loss = nn.MSELoss()

    def __call__(self, x, model, gt_y):
        prediction = model(x)
        return self.weight * self.loss(prediction, gt_y)


def heat_residual(model, x, alpha=0.1):
    x = x.clone().requires_grad_(True)
    u = model(x)
    grads = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    u_t = grads[:, 2]
    u_xx = torch.autograd.grad(grads[:, 0].sum(), x, create_graph=True)[0][:, 0]
    u_yy = torch.autograd.grad(grads[:, 1].sum(), x, create_graph=True)[0][:, 1]
    return ((u_t - alpha * (u_xx + u_yy)) ** 2).mean()


model = nn.Sequential(nn.Linear(3, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
ic = InitialCondition(InitialConditionDataset())
ic_loader = DataLoader(ic.dataset, batch_size=128, shuffle=True)
pde_loader = DataLoader(PDEDataset(), batch_size=128, shuffle=True)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for (x0, u0), xp in zip(ic_loader, pde_loader):
        loss = ic(x0, model, u0) + heat_residual(model, xp)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 5))
