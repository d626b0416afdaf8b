"""A model whose forward has a genuine bug in its third op (for the CLI error tests).

    tensorsight trace tests/trace/buggy_net.py:Buggy --input 2x8
"""
import torch
import torch.nn as nn


class Buggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(12, 4)  # bug: fc1 gives 16 features

    def forward(self, x):
        x = self.fc1(x)
        x = torch.relu(x)
        x = self.fc2(x)
        return x
