"""Small models for the fuzz suite (not a test module)."""
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, width: int = 4):
        super().__init__()
        self.fc = nn.Linear(width, 2)

    def forward(self, x):
        return self.fc(x)


class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)

    def forward(self, x):
        return self.conv(x)


class RaisesAfterOp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        y = self.fc(x)
        raise ValueError(f"rejected output {tuple(y.shape)}")


class BadConstructor(nn.Module):
    def __init__(self):
        super().__init__()
        raise RuntimeError("the constructor refuses")


def factory(k: int):
    return nn.Linear(k, 2)


instance = Net()
not_a_model = 42


def compiled():
    return torch.compile(Net())


def scripted():
    return torch.jit.script(Net())
