import torch
import torch.nn as nn

torch.manual_seed(0)

x_all, y_all = torch.randn(120, 3), torch.randn(120)
lin = nn.Linear(3, 1)
opt = torch.optim.SGD(lin.parameters(), lr=0.1)
for i in range(0, 120, 30):
    pred, target = lin(x_all[i:i + 30]), y_all[i:i + 30]
    loss = (pred - target).abs().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
