import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class SCConv(nn.Module):
    def __init__(self, planes, pooling_r=4):
        super().__init__()
        self.k2 = nn.Sequential(nn.AvgPool2d(pooling_r, pooling_r), nn.Conv2d(planes, planes, 3, 1, 1, bias=False),
                                nn.BatchNorm2d(planes))
        self.k3 = nn.Sequential(nn.Conv2d(planes, planes, 3, 1, 1, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        gate = torch.sigmoid(x + F.interpolate(self.k2(x), x.shape[2:]))
        return self.k3(x) * gate


class SCNetTiny(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.layer = nn.Sequential(SCConv(32), nn.Conv2d(32, 64, 3, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(64, 64, 1, bias=False), nn.BatchNorm2d(64),
                                  nn.ReLU(), nn.Flatten(), nn.Linear(64, num_classes))

    def forward(self, x):
        return self.head(self.layer(self.stem(x)))


def scnet_tiny(num_classes=1000):
    return SCNetTiny(num_classes)


model = scnet_tiny(num_classes=10)
image = torch.rand(1, 3, 64, 64)
with torch.no_grad():
    probs = F.softmax(model(image), dim=1)
print('top class', probs.argmax(1).item(), 'p=%.3f' % probs.max().item())
