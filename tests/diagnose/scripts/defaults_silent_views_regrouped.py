"""Each test sample comes as several augmented views folded into the batch; after training the
view predictions are unfolded in the wrong order (views first) and averaged."""
import torch
import torch.nn as nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
opt = torch.optim.Adam(net.parameters())
for _ in range(3):
    loss = net(torch.randn(32, 8)).logsumexp(1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()

samples = torch.randn(3, 5, 8)                     # [samples, views, features]
net.eval()
with torch.no_grad():
    n, v, d = samples.shape
    out = net(samples.reshape(-1, d))              # [samples * views, 4]
    mean = out.reshape(v, n, -1).mean(0)
print(mean.shape)
