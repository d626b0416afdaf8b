import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(19)


def conv_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class MiniResNet(nn.Module):
    """Five stride-2 stages as in an ImageNet ResNet, with its 7x7 average pool."""

    def __init__(self, n_classes=10, widths=(16, 32, 64, 96, 128)):
        super().__init__()
        stages, cin = [], 3
        for w in widths:
            stages.append(conv_bn(cin, w))
            cin = w
        self.features = nn.Sequential(*stages)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[-1], n_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        return self.fc(torch.flatten(x, 1))


images = torch.rand(24, 3, 96, 96)
labels = torch.randint(0, 10, (24,))
loader = DataLoader(TensorDataset(images, labels), batch_size=6, shuffle=True)
net = MiniResNet()
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
for epoch in range(2):
    for x, y in loader:
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
