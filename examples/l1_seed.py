"""The seed question, as its author wrote it: an L1 penalty on one layer, added to the loss.

    python examples/l1_seed.py            # lam = 0: plain least squares
    python examples/l1_seed.py 1000       # lam = 1000: the weights grow instead of shrinking
    python examples/l1_seed.py 0 50       # second argument: epochs (5 as posted is too few to
                                          # converge; about 40 recover [10, -12, 2, 11, -0.25])

Under ``tensorsight run examples/l1_seed.py 1000`` the oscillation is reported as a finding
(see docs/regularization.md); examples/l1_proximal.py is the same problem done with
tensorsight's proximal mode.
"""
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

lam = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5

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

for epoch in range(epochs):
    for x, y in train_loader:
        optimizer.zero_grad()
        output = model(x)
        for name, param in model.named_parameters():
            if name == 'mlp.0.weight':
                loss = criterion(output, y) + lam * torch.norm(param, 1)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

print("weights:", [round(v, 4) for v in model.mlp[0].weight.detach().reshape(-1).tolist()])
