import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Attention(nn.Module):
    def __init__(self, dim=64, heads=4, dim_head=16):
        super().__init__()
        inner = heads * dim_head
        self.heads, self.scale = heads, dim_head ** -0.5
        self.to_qkv = nn.Linear(dim, inner * 3, bias=False)
        self.to_out = nn.Linear(inner, dim)

    def forward(self, x):                                     # [B, N, dim]
        B, N, _ = x.shape
        q, k, v = self.to_qkv(x).chunk(3, dim=-1)
        q, k, v = (t.reshape(B, N, self.heads, -1).permute(0, 2, 1, 3) for t in (q, k, v))   # b n (h d) -> b h n d
        dots = torch.einsum('bhid,bhjd->bhij', q, k) * self.scale
        attn = dots.softmax(dim=-1)
        out = torch.einsum('bhij,bhjd->bhid', attn, v)
        out = out.permute(0, 2, 1, 3).reshape(B, N, -1)                                       # b h n d -> b n (h d)
        return self.to_out(out)


class PointCloudRegressor(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.embed = nn.Linear(3, dim)
        self.attn = Attention(dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 1)

    def forward(self, pts):
        h = self.embed(pts)
        h = self.norm(h + self.attn(h))
        return self.head(h.max(dim=1).values)                 # [B, 1]


model = PointCloudRegressor()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
points = torch.randn(16, 128, 3)
volume = points.norm(dim=-1).mean(dim=1, keepdim=True)        # [16, 1]
for step in range(10):
    loss = F.mse_loss(model(points), volume)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
