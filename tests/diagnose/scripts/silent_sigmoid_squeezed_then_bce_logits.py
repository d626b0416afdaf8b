import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 1)

    def forward(self, x):
        return self.fc(x).sigmoid().squeeze(-1)


model = Scorer()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(40, 6), (torch.rand(40) > 0.5).float()
for i in range(0, 40, 10):
    loss = F.binary_cross_entropy_with_logits(model(x[i:i + 10]), y[i:i + 10])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
