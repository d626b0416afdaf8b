"""The four networks issue 5 is judged on, plus a data-dependent one (shared with bench/)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    """The PyTorch tutorial net: 32x32 (or 33x33) grey images only."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

    def num_flat_features(self, x):
        n = 1
        for s in x.size()[1:]:
            n *= s
        return n


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.down is None else self.down(x)))


class ResNetish(nn.Module):
    """A small ResNet: an unpadded stem, strided residual stages, adaptive pooling."""

    def __init__(self, num_classes=10, width=8):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 7, 2, 0, bias=False), nn.BatchNorm2d(width),
                                  nn.ReLU(), nn.MaxPool2d(3, 2))
        self.layer1 = BasicBlock(width, width)
        self.layer2 = BasicBlock(width, 2 * width, 2)
        self.layer3 = BasicBlock(2 * width, 4 * width, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4 * width, num_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


def _double(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    """Four poolings down, four transposed convolutions up, skip connections by torch.cat."""

    def __init__(self, cin=1, classes=2, w=4):
        super().__init__()
        chans = [w, 2 * w, 4 * w, 8 * w, 16 * w]
        self.inc = _double(cin, chans[0])
        self.downs = nn.ModuleList(_double(chans[i], chans[i + 1]) for i in range(4))
        self.ups = nn.ModuleList(nn.ConvTranspose2d(chans[i + 1], chans[i], 2, 2) for i in reversed(range(4)))
        self.convs = nn.ModuleList(_double(2 * chans[i], chans[i]) for i in reversed(range(4)))
        self.out = nn.Conv2d(chans[0], classes, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(F.max_pool2d(skips[-1], 2)))
        x = skips.pop()
        for up, conv in zip(self.ups, self.convs):
            x = conv(torch.cat([skips.pop(), up(x)], dim=1))
        return self.out(x)


class SeqConvNet(nn.Module):
    """A 1-D conv net over sequences (N x C x L) ending in a Linear on the flattened length."""

    def __init__(self, cin=4, length=100, classes=5):
        super().__init__()
        self.conv1 = nn.Conv1d(cin, 8, 5)
        self.conv2 = nn.Conv1d(8, 16, 5, stride=2)
        self.conv3 = nn.Conv1d(16, 16, 3, padding=1)
        self.pool = nn.MaxPool1d(2)
        self.fc = nn.Linear(16 * 23, classes)  # 23 = the length that L = 100 reaches

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.pool(F.relu(self.conv3(x)))
        return self.fc(x.flatten(1))


class DataDependent(nn.Module):
    """Keeps the positive entries: the output size depends on the values, not the shapes."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        x = self.fc(x)
        keep = x[x > 0]
        return keep.view(-1, 2)


class ItemSized(nn.Module):
    """A size read from a value with .item(): data-dependent."""

    def forward(self, x):
        n = int(x.sum().item())
        return x.new_zeros(n)


class NonzeroNet(nn.Module):
    """torch.nonzero: as many rows as there are non-zero entries."""

    def forward(self, x):
        return torch.nonzero(x).float().sum(0)


class ShapeBranch(nn.Module):
    """Code that branches on a size: large inputs are pooled first."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 14 * 14, 3)

    def forward(self, x):
        if x.shape[-1] > 40:
            x = F.max_pool2d(x, 2)
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(x.flatten(1))


class TwoInputs(nn.Module):
    """Tokens and a mask that must share the sequence length T."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 8)

    def forward(self, ids, mask):
        return self.emb(ids) * mask.unsqueeze(-1)
