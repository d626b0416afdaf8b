import torch
import torch.nn as nn

torch.manual_seed(0)

conv = nn.Conv1d(16, 8, 3)
opt = torch.optim.SGD(conv.parameters(), lr=0.1)
frames = torch.randn(48, 16, 16)                       # [batch, time, features]
for i in range(0, 48, 12):
    x = frames[i:i + 12].permute(0, 1, 2)              # meant: features onto the channel axis
    loss = conv(x).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
