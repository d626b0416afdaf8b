# a network built for 32x32 inputs (three stride-2 stages, then a 4x4 average pool) fed 24x24
import torch
import torch.nn as nn

IMG_SIZE = 24
torch.manual_seed(9)


def stage(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=2, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(stage(3, 8), stage(8, 16), stage(16, 32))
        self.pool = nn.AvgPool2d(4)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.pool(self.features(x)).flatten(1))


net = SmallNet()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for step in range(2):
    x = torch.randn(8, 3, IMG_SIZE, IMG_SIZE)
    loss = nn.functional.cross_entropy(net(x), torch.randint(0, 10, (8,)))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
