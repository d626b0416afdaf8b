"""A CNN whose classifier input size is inferred by nn.LazyLinear (materialised by a dry run)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(39)


class LazyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 6, 5, stride=2)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.LazyLinear(7)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        return self.fc(x.flatten(1))


net = LazyNet()
images = torch.randn(30, 1, 37, 37)
classes = torch.randint(0, 7, (30,))
with torch.no_grad():
    net(images[:2])
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(images, classes), batch_size=10):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(net(xb), yb)
    loss.backward()
    opt.step()
print(net.fc.in_features, loss.item())
