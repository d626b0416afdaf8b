import torch
import torch.nn as nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(7, 4)

    def forward(self, x):
        return torch.softmax(self.body(x), dim=1)


net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
x, y = torch.randn(30, 7), torch.randint(0, 4, (30,))
for i in range(0, 30, 10):
    out = net(x[i:i + 10])
    loss = nn.functional.cross_entropy(out, y[i:i + 10])
    opt.zero_grad()
    loss.backward()
    opt.step()
    acc = (out.argmax(1) == y[i:i + 10]).float().mean()
print(loss.item(), acc.item())
