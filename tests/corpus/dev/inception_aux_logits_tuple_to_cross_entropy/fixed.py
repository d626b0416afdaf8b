from collections import namedtuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

InceptionOutputs = namedtuple('InceptionOutputs', ['logits', 'aux_logits'])


def conv_bn(cin, cout, k, s=1, p=0):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class InceptionBlock(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.b1 = conv_bn(cin, c, 1)
        self.b3 = nn.Sequential(conv_bn(cin, c, 1), conv_bn(c, c, 3, p=1))
        self.b5 = nn.Sequential(conv_bn(cin, c, 1), conv_bn(c, c, 5, p=2))
        self.bp = nn.Sequential(nn.AvgPool2d(3, 1, 1), conv_bn(cin, c, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


class MiniInception(nn.Module):
    """Inception-v3 layout in miniature: an auxiliary classifier is returned while training."""

    def __init__(self, num_classes=1000, aux_logits=True):
        super().__init__()
        self.aux_logits = aux_logits
        self.stem = nn.Sequential(conv_bn(3, 16, 3, 2), conv_bn(16, 32, 3), nn.MaxPool2d(3, 2))
        self.mixed_a = InceptionBlock(32, 16)
        self.mixed_b = InceptionBlock(64, 24)
        self.AuxLogits = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(64 * 16, num_classes))
        self.fc = nn.Linear(96, num_classes)

    def forward(self, x):
        x = self.mixed_a(self.stem(x))
        aux = self.AuxLogits(x) if self.training and self.aux_logits else None
        x = F.adaptive_avg_pool2d(self.mixed_b(x), 1).flatten(1)
        x = self.fc(x)
        if self.training and self.aux_logits:
            return InceptionOutputs(x, aux)
        return x


model = MiniInception()
model.fc = nn.Linear(model.fc.in_features, 200)          # fine-tune for 200 classes
model.AuxLogits[-1] = nn.Linear(64 * 16, 200)
images = torch.randn(32, 3, 75, 75)
labels = torch.randint(0, 200, (32,))
loader = DataLoader(TensorDataset(images, labels), batch_size=8, shuffle=True)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
model.train()
for inputs, target in loader:
    outputs, aux_outputs = model(inputs)
    loss = criterion(outputs, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('loss', round(loss.item(), 4))
