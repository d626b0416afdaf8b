"""Self-attention that merges its heads [B, H, T, D] back with reshape(B, T, H*D) and no transpose."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(4)


class SelfAttention(nn.Module):
    def __init__(self, dim=32, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        att = F.softmax(q @ k.transpose(-2, -1) / (C // self.heads) ** 0.5, dim=-1)
        y = (att @ v).reshape(B, T, C)
        return self.proj(y)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 32)
        self.att = SelfAttention()
        self.out = nn.Linear(32, 3)

    def forward(self, tokens):
        return self.out(self.att(self.embed(tokens)).mean(1))


tokens = torch.randint(0, 50, (64, 12))
labels = torch.randint(0, 3, (64,))
model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(0, 64, 16):
    opt.zero_grad()
    loss = F.cross_entropy(model(tokens[i:i + 16]), labels[i:i + 16])
    loss.backward()
    opt.step()
print("loss", loss.item())
