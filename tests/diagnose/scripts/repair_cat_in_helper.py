import torch
import torch.nn as nn

torch.manual_seed(0)


class TwoTower(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(5, 8)
        self.b = nn.Linear(7, 8)
        self.head = nn.Linear(16, 2)

    def join(self, xa, xb):
        return torch.cat([self.a(xa), self.b(xb)], 0)

    def forward(self, xa, xb):
        both = self.join(xa, xb)
        return self.head(both)


net = TwoTower()
labels = torch.tensor([0, 1, 1, 0])
loss = nn.functional.cross_entropy(net(torch.randn(4, 5), torch.randn(4, 7)), labels)
loss.backward()
print(loss.item())
