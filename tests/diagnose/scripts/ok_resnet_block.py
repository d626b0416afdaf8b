"""A ResNet basic block with a stride-2 projection shortcut."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.b1(self.c1(x)))
        out = self.b2(self.c2(out))
        return F.relu(out + self.shortcut(x))


torch.manual_seed(36)
net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
for _ in range(2):
    x = torch.randn(4, 3, 16, 16)
    y = torch.randint(0, 10, (4,))
    opt.zero_grad()
    F.cross_entropy(net(x), y).backward()
    opt.step()
print("ok")
