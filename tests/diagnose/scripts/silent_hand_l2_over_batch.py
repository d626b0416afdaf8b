import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(12, 40), nn.ReLU(), nn.Linear(40, 16))

    def forward(self, x):
        z = self.net(x)
        return z / torch.linalg.vector_norm(z, dim=0, keepdim=True).clamp(min=1e-6)


enc = Encoder()
opt = torch.optim.SGD(enc.parameters(), lr=0.1)
data = torch.randn(90, 12)
data = data / data.norm(dim=0, keepdim=True)            # columns scaled over the samples: on purpose
for i in range(0, 90, 30):
    a, b = enc(data[i:i + 30]), enc(data[i:i + 30] + 0.01)
    loss = F.cross_entropy(a @ b.t() / 0.1, torch.arange(30))
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
