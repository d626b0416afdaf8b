import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(64, 16)
Y = torch.randint(0, 4, (64,))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(32, 16)
        self.head = nn.Linear(32, 4)

    def forward(self, x):
        return self.head(torch.relu(self.hidden(x)))


model = MLP()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for i in range(0, 64, 16):
    loss = nn.functional.cross_entropy(model(X[i:i + 16]), Y[i:i + 16])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("done")
