"""A clean two-step training script that also echoes its command-line arguments."""
import sys

import torch
import torch.nn as nn

torch.manual_seed(40)
print("ARGV=" + repr(sys.argv[1:]))
steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 2
model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(10, 3), torch.randn(10, 1)
for _ in range(steps):
    opt.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    opt.step()
print("STEPS_DONE", steps)
