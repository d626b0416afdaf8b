"""A config lookup fails after a few tensor operations: not a shape problem."""
import torch
import torch.nn as nn

torch.manual_seed(42)
config = {"lr": 0.01, "epochs": 1}
model = nn.Linear(6, 2)
out = model(torch.randn(4, 6))
print(out.shape)
opt = torch.optim.SGD(model.parameters(), lr=config["learning_rate"])
