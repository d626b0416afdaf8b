"""A model with a projection layer that forward() forgot to call."""
import torch
import torch.nn as nn

torch.manual_seed(24)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(8, 16)
        self.extra = nn.Linear(16, 16)
        self.out = nn.Linear(16, 2)

    def forward(self, x):
        return self.out(torch.relu(self.inp(x)))


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.randn(16, 8)
y = torch.randint(0, 2, (16,))
for _ in range(3):
    opt.zero_grad()
    nn.functional.cross_entropy(net(x), y).backward()
    opt.step()
print("ok")
