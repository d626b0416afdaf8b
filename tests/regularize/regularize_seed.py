"""The seed question's setup for the tests: data, model, and a fast training loop.

Same data, model, optimizer and loss as examples/l1_seed.py; the batches come from a seeded
randperm instead of a DataLoader (same sizes, faster).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

TRUE = [10.0, -12.0, 2.0, 11.0, -0.25]


def seed_data(n: int = 1000, seed: int = 0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 5)
    y = x @ np.array(TRUE)
    return (torch.tensor(x, dtype=torch.float32),
            torch.tensor(y, dtype=torch.float32).reshape(-1, 1))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(5, 1, bias=False))

    def forward(self, x):
        return self.mlp(x)


def make(seed: int = 0, opt: str = "sgd", lr: float = 0.02, momentum: float = 0.82):
    torch.manual_seed(seed)
    model = MLP()
    if opt == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    elif opt == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    elif opt == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    else:
        raise ValueError(opt)
    return model, optimizer


def train(model, optimizer, epochs: int, *, lam: float = 0.0, reg=None, after_step=None,
          seed: int = 0, batch_size: int = 100):
    """The seed's loop. ``lam``: the hand-written L1 term; ``reg``: a tensorsight Regularizer
    (penalty mode: its penalty() is added; proximal mode: reg.step(optimizer) after the step);
    ``after_step(optimizer)`` is called after every step. Returns the weights after each step."""
    x, y = seed_data()
    criterion = nn.MSELoss()
    gen = torch.Generator().manual_seed(seed)
    weights = [model.mlp[0].weight.detach().reshape(-1).clone()]
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch_size):
            idx = order[i:i + batch_size]
            optimizer.zero_grad()
            output = model(x[idx])
            loss = criterion(output, y[idx])
            if lam:
                loss = loss + lam * torch.norm(model.mlp[0].weight, 1)
            if reg is not None and reg.mode == "penalty":
                loss = loss + reg.penalty()
            loss.backward()
            optimizer.step()
            if reg is not None and reg._hook is None:
                reg.step(optimizer)
            if after_step is not None:
                after_step(optimizer)
            weights.append(model.mlp[0].weight.detach().reshape(-1).clone())
    return weights


def lasso(lam: float, iters: int = 2000) -> torch.Tensor:
    """The exact lasso solution of min mean((Xw - y)^2) + lam |w|_1 on the seed data (ISTA)."""
    x, y = seed_data()
    x, y = x.double(), y.double().reshape(-1)
    n = len(x)
    lip = float(torch.linalg.eigvalsh(2 * x.T @ x / n).max())
    w = torch.zeros(5, dtype=torch.float64)
    for _ in range(iters):
        w = w - (2 * x.T @ (x @ w - y) / n) / lip
        w = torch.sign(w) * torch.clamp(w.abs() - lam / lip, min=0)
    return w
