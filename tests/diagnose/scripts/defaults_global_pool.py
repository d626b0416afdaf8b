"""A small CNN written for 16x16 inputs (its pooling window is the last map's size), fed 32x32."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 12, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.pool = nn.AvgPool2d(8)
        self.fc = nn.Linear(12, 5)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.fc(x.view(-1, 12))


loader = DataLoader(TensorDataset(torch.rand(12, 3, 32, 32), torch.randint(0, 5, (12,))), batch_size=6)
net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.01)
for x, y in loader:
    loss = nn.functional.cross_entropy(net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("done")
