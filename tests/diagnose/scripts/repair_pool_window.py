import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.final_pool = nn.MaxPool2d(8)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = self.pool(self.pool(torch.relu(self.conv(x))))
        x = self.final_pool(x)
        return self.fc(x.flatten(1))

net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
x = torch.randn(4, 3, 16, 16)
y = torch.randint(0, 2, (4,))
loss = nn.functional.cross_entropy(net(x), y)
loss.backward()
opt.step()
