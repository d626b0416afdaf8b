# Two distributions compared over the batch axis on one line: log_softmax and softmax both dim=0.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
a, b = nn.Linear(10, 6), nn.Linear(10, 6)
opt = torch.optim.SGD(list(a.parameters()) + list(b.parameters()), lr=0.1)
x = torch.randn(64, 10)
for i in range(0, 64, 16):
    xb = x[i:i + 16]
    loss = F.kl_div(F.log_softmax(a(xb), dim=0), F.softmax(b(xb), dim=0), reduction="batchmean")
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
