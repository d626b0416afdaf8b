"""A config lookup of a missing 'hidden_size' key: still not a shape problem."""
import torch
import torch.nn as nn

torch.manual_seed(43)
config = {"layers": 2}
x = nn.Linear(6, 4)(torch.randn(3, 6))
head = nn.Linear(4, config["hidden_size"])
