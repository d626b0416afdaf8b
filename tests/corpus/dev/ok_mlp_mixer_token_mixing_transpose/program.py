import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class MixerBlock(nn.Module):
    def __init__(self, num_patches, dim, token_hidden=32, channel_hidden=128):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.token_mlp = nn.Sequential(nn.Linear(num_patches, token_hidden), nn.GELU(), nn.Linear(token_hidden, num_patches))
        self.norm2 = nn.LayerNorm(dim)
        self.channel_mlp = nn.Sequential(nn.Linear(dim, channel_hidden), nn.GELU(), nn.Linear(channel_hidden, dim))

    def forward(self, x):                                      # [B, N, C]
        x = x + self.token_mlp(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.channel_mlp(self.norm2(x))


class MLPMixer(nn.Module):
    def __init__(self, image_size=32, patch=4, dim=64, depth=2, num_classes=10):
        super().__init__()
        n = (image_size // patch) ** 2
        self.stem = nn.Conv2d(3, dim, patch, stride=patch)
        self.blocks = nn.Sequential(*[MixerBlock(n, dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, img):
        x = self.stem(img).flatten(2).transpose(1, 2)          # [B, 64 patches, dim]
        return self.head(self.norm(self.blocks(x)).mean(dim=1))


model = MLPMixer()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
images = torch.randn(16, 3, 32, 32)
labels = torch.randint(0, 10, (16,))
for step in range(5):
    loss = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
