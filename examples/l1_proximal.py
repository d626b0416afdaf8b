"""The seed question done the tensorsight way: an exact proximal L1 step after optimizer.step().

    python examples/l1_proximal.py               # lam = 0.1: the -0.25 coefficient is exactly 0
    python examples/l1_proximal.py 1000          # every weight goes monotonically to exactly 0
    python examples/l1_proximal.py 0.1 50 l1.svg # lam, epochs, and a picture of the training

Same data, model, optimizer (SGD lr 0.02, momentum 0.82) and loss as examples/l1_seed.py; the
only changes: no penalty in the loss, and ``reg.attach(optimizer)``, which soft-thresholds the
weights after every step with the optimizer's own step size (docs/regularization.md).
"""
import sys

import numpy as np
import torch
import torch.nn as nn
from rich import print as rprint
from torch.utils.data import DataLoader, TensorDataset

import tensorsight
from tensorsight import L1

lam = float(sys.argv[1]) if len(sys.argv) > 1 else 0.1
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
svg_path = sys.argv[3] if len(sys.argv) > 3 else None

np.random.seed(0)
torch.manual_seed(0)

x_train = np.random.rand(1000, 5)
y_train = (10 * x_train[:, 0] - 12 * x_train[:, 1] + 2 * x_train[:, 2]
           + 11 * x_train[:, 3] - 0.25 * x_train[:, 4])


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(5, 1, bias=False))

    def forward(self, x):
        return self.mlp(x)


model = MLP()
dataset = TensorDataset(torch.tensor(x_train, dtype=torch.float32),
                        torch.tensor(y_train, dtype=torch.float32).reshape(-1, 1))
train_loader = DataLoader(dataset, batch_size=100, shuffle=True)
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.82)
criterion = nn.MSELoss()

reg = tensorsight.regularize(model, {"mlp.0.weight": L1(lam)}, mode="proximal")
reg.attach(optimizer)  # the prox runs after every optimizer.step()

for epoch in range(epochs):
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)  # no penalty term here: the prox applies it
        loss.backward()
        optimizer.step()

print("weights:", [round(v, 4) for v in model.mlp[0].weight.detach().reshape(-1).tolist()])
print(f"objective: mse {loss.item():.4f} + L1 {reg.value():.4f}")
rprint(reg.report())
if svg_path:
    print("picture:", reg.plot(svg_path))
