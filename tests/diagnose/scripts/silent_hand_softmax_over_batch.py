import torch
import torch.nn as nn

torch.manual_seed(0)

scorer = nn.Linear(6, 5)
opt = torch.optim.SGD(scorer.parameters(), lr=0.1)
x, y = torch.randn(40, 6), torch.randint(0, 5, (40,))
for i in range(0, 40, 10):
    e = scorer(x[i:i + 10]).exp()
    p = e / e.sum(0, keepdim=True)
    loss = -p[torch.arange(10), y[i:i + 10]].log().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
