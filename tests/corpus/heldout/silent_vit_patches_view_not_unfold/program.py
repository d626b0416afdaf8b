import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class PatchEmbedding(nn.Module):
    def __init__(self, img_size=32, patch_size=8, in_channels=3, dim=64):
        super().__init__()
        self.patch_size = patch_size
        self.n_patches = (img_size // patch_size) ** 2
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, x):                                   # [B, C, H, W]
        B, C, H, W = x.shape
        p = self.patch_size
        patches = x.reshape(B, self.n_patches, C * p * p)
        return self.proj(patches)                           # [B, n_patches, dim]


class TinyViT(nn.Module):
    def __init__(self, num_classes=10, dim=64):
        super().__init__()
        self.patch_embed = PatchEmbedding(dim=dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, self.patch_embed.n_patches + 1, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, nhead=4, dim_feedforward=128, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        tokens = self.patch_embed(x)
        cls = self.cls_token.expand(x.size(0), -1, -1)
        tokens = torch.cat([cls, tokens], dim=1) + self.pos_embed
        return self.head(self.encoder(tokens)[:, 0])


model = TinyViT()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
images = torch.randn(16, 3, 32, 32)
labels = torch.randint(0, 10, (16,))
for step in range(3):
    loss = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
