"""A residual-free conv block whose BatchNorm was given the block's input width."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(5)


class Block(nn.Module):
    def __init__(self, in_ch, hidden):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, hidden, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(in_ch)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(hidden, 2)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(self.pool(x).flatten(1))


model = Block(in_ch=3, hidden=20)
opt = torch.optim.Adam(model.parameters())
x = torch.randn(10, 3, 12, 12)
y = torch.randint(0, 2, (10,))
for _ in range(2):
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()
print("ok")
