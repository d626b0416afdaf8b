import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)


def conv_bn(inp, oup, stride):
    return nn.Sequential(nn.Conv2d(inp, oup, 3, stride, 1, bias=False), nn.BatchNorm2d(oup), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, t=2):
        super().__init__()
        hidden = inp * t
        self.use_res = stride == 1 and inp == oup
        self.conv = nn.Sequential(
            nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, oup, 1, bias=False), nn.BatchNorm2d(oup))

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNet2(nn.Module):
    def __init__(self, in_channels=3, num_classes=1000):
        super().__init__()
        layers = [conv_bn(in_channels, 8, 2)]
        for cin, cout, s in [(8, 8, 1), (8, 12, 2), (12, 16, 2), (16, 24, 2), (24, 32, 2)]:
            layers.append(InvertedResidual(cin, cout, s))
        layers += [nn.Conv2d(32, 1280 // 16, 1, bias=False), nn.BatchNorm2d(1280 // 16), nn.ReLU6(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AvgPool2d(7)
        self.fc = nn.Linear(1280 // 16, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


class SpectrogramSet(Dataset):
    """Two-channel (real, imaginary) spectrograms: 20 frequency bins x 224 frames."""
    def __init__(self, n=16):
        self.specs = torch.randn(n, 2, 20, 224)
        self.labels = torch.randint(0, 10, (n,))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        spec = F.interpolate(self.specs[i][None], size=(224, 224), mode='bilinear', align_corners=False)[0]
        return spec, self.labels[i]


model = MobileNet2(in_channels=2, num_classes=10)
loader = DataLoader(SpectrogramSet(), batch_size=4, shuffle=True)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for x, y in loader:
    out = model(x)
    loss = F.cross_entropy(out, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print('loss', loss.item())
