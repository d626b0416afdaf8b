"""Small models the summary tests (and the CLI tests, as TARGETs) use."""
import torch
from torch import nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.blocks = nn.Sequential(*[nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.ReLU()) for _ in range(3)])
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.blocks(x)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)  # functional ops: counted too
        return self.fc(x)


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(64, 4)  # wrong: fc1 gives 32 features

    def forward(self, x):
        return self.fc2(self.fc1(x))


class TokenModel(nn.Module):
    def __init__(self, vocab: int = 100, dim: int = 16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.embed.weight  # tied: counted once

    def forward(self, ids, mask=None):
        h = self.embed(ids)
        if mask is not None:
            h = h * mask.unsqueeze(-1)
        return self.head(h)


def small_cnn():
    return SmallCNN(num_classes=5)
