import torch
import torch.nn as nn

torch.manual_seed(0)

stem, qk = nn.Conv2d(3, 16, 2, stride=2), nn.Linear(16, 32)
opt = torch.optim.SGD(list(stem.parameters()) + list(qk.parameters()), lr=0.1)
img = torch.randn(4, 3, 8, 8)
for step in range(2):
    tokens = stem(img).flatten(2).transpose(1, 2)                # [4, 16 tokens, 16]
    q, k = qk(tokens).chunk(2, dim=-1)
    q = q.reshape(4, 2, 16, 8)                                    # heads cut from the token axis
    k = k.reshape(4, 16, 2, 8).transpose(1, 2)
    loss = (q @ k.transpose(-1, -2)).softmax(-1).var()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
