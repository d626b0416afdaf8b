"""Small models in the spirit of torchinfo's test fixtures (written anew): the shapes of module
trees and forward signatures people switching from torchinfo bring — several inputs of several
dtypes, containers, recursion, shared modules, packed sequences, namedtuple and dict outputs,
parameters outside any layer, lazy layers, a model that changes itself in forward."""
from __future__ import annotations

import math
from collections import namedtuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 12, 5)
        self.drop = nn.Dropout2d(0.25)
        self.fc1 = nn.Linear(12 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.drop(self.conv2(x))), 2)
        return F.log_softmax(self.fc2(F.relu(self.fc1(x.flatten(1)))), dim=1)


class TwoInputsTwoDtypes(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.dense = nn.Linear(5, 8)

    def forward(self, ids, features):
        return self.embed(ids).mean(1) + self.dense(features)


class Recursive(nn.Module):
    """One conv applied again and again (a module called many times)."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        for _ in range(3):
            x = F.relu(self.conv(x))
        return x


class Siamese(nn.Module):
    def __init__(self):
        super().__init__()
        self.branch = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 4))

    def forward(self, a, b):
        return F.pairwise_distance(self.branch(a), self.branch(b))


class Containers(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 3)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(4)) for _ in range(2)])

    def forward(self, x):
        for block, scale in zip(self.blocks, self.scales):
            x = block(x) * scale
        return {name: head(x) for name, head in self.heads.items()}


Pair = namedtuple("Pair", "mean spread")


class NamedTupleOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        y = self.lin(x)
        return Pair(y.mean(0), y.std(0))


class PackedLSTM(nn.Module):
    """pack_padded_sequence needs the lengths' values."""
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.lstm = nn.LSTM(8, 6, batch_first=True)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embed(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        return pad_packed_sequence(out, batch_first=True)[0]


class BareParameters(nn.Module):
    """Weights that are not in any layer."""
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(5, 3) / math.sqrt(5))
        self.register_buffer("shift", torch.zeros(3))

    def forward(self, x):
        return x @ self.w + self.shift


class GRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 8, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(out[:, -1])


class Autoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(), nn.BatchNorm2d(8))
        self.dec = nn.Sequential(nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))


class LayerNormMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.LayerNorm(16), nn.Linear(16, 8))

    def forward(self, x):
        return x + self.net(x)


class StochasticDepth(nn.Module):
    """LayerDrop: skips a block when a random draw says so (a branch on data in train mode)."""
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x):
        for block in self.blocks:
            if self.training and torch.rand([]) < 0.3:
                continue
            x = x + block(x)
        return x


class FiniteCheck(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        y = self.lin(x)
        if not torch.isfinite(y).all():
            raise ValueError("non-finite activations")
        return y


class Distribution(nn.Module):
    """torch.distributions validates its arguments by reading their values."""
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 2)

    def forward(self, x):
        mean, log_std = self.lin(x).chunk(2, dim=-1)
        return torch.distributions.Normal(mean, log_std.exp()).rsample()


class ReturnsNumpy(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)

    def forward(self, x):
        return self.lin(x), self.lin(x).argmax(-1).tolist()


class CountsCalls(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.calls = 0
        self.history = []

    def forward(self, x):
        self.calls += 1
        self.history.append(x.detach())
        return self.lin(x)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(16, 8)
        self.out = nn.Linear(8, 16, bias=False)
        self.out.weight = self.embed.weight

    def forward(self, ids):
        return self.out(self.embed(ids))


def _lengths():
    return torch.tensor([5, 3])


# name -> (build, positional inputs)
FIXTURES = {
    "small_cnn": (SmallCNN, lambda: (torch.randn(2, 1, 28, 28),)),
    "two_inputs_two_dtypes": (TwoInputsTwoDtypes, lambda: (torch.randint(0, 20, (2, 6)), torch.randn(2, 5))),
    "recursive": (Recursive, lambda: (torch.randn(1, 4, 6, 6),)),
    "siamese": (Siamese, lambda: (torch.randn(3, 6), torch.randn(3, 6))),
    "containers": (Containers, lambda: (torch.randn(2, 4),)),
    "namedtuple_out": (NamedTupleOut, lambda: (torch.randn(5, 3),)),
    "packed_lstm": (PackedLSTM, lambda: (torch.randint(1, 30, (2, 5)), _lengths())),
    "bare_parameters": (BareParameters, lambda: (torch.randn(4, 5),)),
    "gru": (GRUClassifier, lambda: (torch.randn(2, 7, 4),)),
    "autoencoder": (Autoencoder, lambda: (torch.randn(2, 3, 16, 16),)),
    "layernorm_mlp": (LayerNormMLP, lambda: (torch.randn(3, 8),)),
    "stochastic_depth": (StochasticDepth, lambda: (torch.randn(2, 4),)),
    "finite_check": (FiniteCheck, lambda: (torch.randn(2, 4),)),
    "distribution": (Distribution, lambda: (torch.randn(2, 4),)),
    "returns_python_values": (ReturnsNumpy, lambda: (torch.randn(2, 3),)),
    "counts_calls": (CountsCalls, lambda: (torch.randn(2, 4),)),
    "tied": (Tied, lambda: (torch.randint(0, 16, (2, 5)),)),
    "lazy": (lambda: nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(3)),
             lambda: (torch.randn(2, 2, 6, 6),)),
    "shared_in_sequential": (lambda: (lambda lin: nn.Sequential(lin, nn.ReLU(), lin))(nn.Linear(4, 4)),
                             lambda: (torch.randn(2, 4),)),
    "jit_scripted": (lambda: torch.jit.script(nn.Sequential(nn.Linear(4, 3), nn.Tanh())),
                     lambda: (torch.randn(2, 4),)),
}
