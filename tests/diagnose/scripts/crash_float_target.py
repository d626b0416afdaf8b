"""Class ids stored as float32 (as loaded from a float matrix) and fed to cross_entropy."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)
rng = np.random.default_rng(1)
table = rng.normal(size=(40, 9)).astype(np.float32)
table[:, -1] = rng.integers(0, 3, size=40)

inputs = torch.from_numpy(table[:, :-1])
targets = torch.from_numpy(table[:, -1])

model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(5):
    opt.zero_grad()
    loss = F.cross_entropy(model(inputs), targets)
    loss.backward()
    opt.step()
print("loss", loss.item())
