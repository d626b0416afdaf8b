import torch
import torch.nn as nn

query = nn.Linear(10, 10)
opt = torch.optim.SGD(query.parameters(), lr=0.1)
h = torch.randn(5, 10)
enc = torch.randn(5, 10)
for step in range(2):
    score = torch.dot(query(h), enc)
    loss = score.pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
