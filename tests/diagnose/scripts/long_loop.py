"""A training loop that would run for a long time."""
import torch
import torch.nn as nn

torch.manual_seed(41)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.Adam(model.parameters())
x, y = torch.randn(16, 4), torch.randn(16, 1)
for step in range(1_000_000):
    opt.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    opt.step()
print("never printed under --max-steps")
