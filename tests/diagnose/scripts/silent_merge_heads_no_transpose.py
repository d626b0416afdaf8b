import torch
import torch.nn as nn

torch.manual_seed(0)


class Attention(nn.Module):
    def __init__(self, dim=24, heads=3):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        n, t, c = x.shape
        q, k, v = self.qkv(x).view(n, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-2, -1) / (c // self.heads) ** 0.5, dim=-1)
        return self.out((a @ v).reshape(n, t, c))


model = nn.Sequential(nn.Embedding(50, 24), Attention(), nn.Linear(24, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
tokens, tags = torch.randint(0, 50, (6, 10)), torch.randint(0, 4, (6, 10))
for step in range(2):
    loss = nn.functional.cross_entropy(model(tokens).flatten(0, 1), tags.flatten())
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
