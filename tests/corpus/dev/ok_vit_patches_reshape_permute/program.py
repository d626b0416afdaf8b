import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class PatchEmbed(nn.Module):
    def __init__(self, img_size=32, patch=8, in_chans=3, dim=48):
        super().__init__()
        self.patch = patch
        self.num_patches = (img_size // patch) ** 2
        self.proj = nn.Linear(in_chans * patch * patch, dim)

    def forward(self, x):                                     # [B, C, H, W]
        B, C, H, W = x.shape
        p = self.patch
        x = x.reshape(B, C, H // p, p, W // p, p)             # split H and W into (blocks, p)
        x = x.permute(0, 2, 4, 1, 3, 5)                       # [B, h, w, C, p, p]
        patches = x.reshape(B, self.num_patches, C * p * p)
        return self.proj(patches)


embed = PatchEmbed()
conv = nn.Conv2d(3, 48, kernel_size=8, stride=8)
conv.weight.data.copy_(embed.proj.weight.view(48, 3, 8, 8))
conv.bias.data.copy_(embed.proj.bias)
images = torch.randn(4, 3, 32, 32)
same = torch.allclose(embed(images), conv(images).flatten(2).transpose(1, 2), atol=1e-5)

encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(48, 4, 96, batch_first=True), 1)
head = nn.Linear(48, 10)
params = list(embed.parameters()) + list(encoder.parameters()) + list(head.parameters())
optimizer = torch.optim.AdamW(params, lr=1e-3)
labels = torch.randint(0, 10, (4,))
for step in range(3):
    loss = F.cross_entropy(head(encoder(embed(images)).mean(dim=1)), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('matches strided conv:', same, 'loss', loss.item())
