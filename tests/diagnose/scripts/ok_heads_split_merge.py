"""Multi-head attention done right: view(B, T, H, D).transpose(1, 2), and transpose(1, 2) before
the view that merges the heads; a padding mask [B, 1, 1, T]."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)


class MHA(nn.Module):
    def __init__(self, dim=24, heads=3):
        super().__init__()
        self.h = heads
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)

    def forward(self, x, mask):
        B, T, C = x.shape
        split = lambda t: t.view(B, T, self.h, C // self.h).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        s = q @ k.transpose(-2, -1) / (C // self.h) ** 0.5
        s = s.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
        y = F.softmax(s, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.o(y)


model = MHA()
head = nn.Linear(24, 2)
opt = torch.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=1e-3)
x = torch.randn(32, 10, 24)
mask = torch.ones(32, 10)
mask[:, 8:] = 0
y = torch.randint(0, 2, (32,))
for i in range(0, 32, 8):
    opt.zero_grad()
    out = model(x[i:i + 8], mask[i:i + 8])
    loss = F.cross_entropy(head(out[:, 0]), y[i:i + 8])
    loss.backward()
    opt.step()
print("loss", loss.item())
