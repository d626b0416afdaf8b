import torch
import torch.nn as nn

torch.manual_seed(0)


class SelfAttention(nn.Module):
    def __init__(self, dim=48, heads=4):
        super().__init__()
        self.heads, self.dh = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, D = x.shape
        qkv = self.qkv(x).chunk(3, dim=-1)
        q, k, v = [t.reshape(B, self.heads, N, self.dh) for t in qkv]
        att = (q @ k.transpose(-2, -1) * self.dh ** -0.5).softmax(dim=-1)
        out = (att @ v).transpose(1, 2).reshape(B, N, D)
        return self.proj(out)


class TinyViT(nn.Module):
    def __init__(self, patch=4, dim=48, n_cls=10):
        super().__init__()
        self.embed = nn.Conv2d(3, dim, patch, stride=patch)
        self.attn = SelfAttention(dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_cls)

    def forward(self, img):
        x = self.embed(img).flatten(2).transpose(1, 2)
        x = x + self.attn(self.norm(x))
        return self.head(x.mean(1))


model = TinyViT()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
imgs, y = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))
for step in range(3):
    loss = nn.functional.cross_entropy(model(imgs), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
