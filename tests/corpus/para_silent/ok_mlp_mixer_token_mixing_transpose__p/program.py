import torch
import torch.nn as nn

torch.manual_seed(0)


class MixerLayer(nn.Module):
    def __init__(self, n_tokens=16, ch=24):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(ch), nn.LayerNorm(ch)
        self.token_mlp = nn.Sequential(nn.Linear(n_tokens, 32), nn.GELU(), nn.Linear(32, n_tokens))
        self.channel_mlp = nn.Sequential(nn.Linear(ch, 48), nn.GELU(), nn.Linear(48, ch))

    def forward(self, x):
        y = self.norm1(x).permute(0, 2, 1)
        x = x + self.token_mlp(y).permute(0, 2, 1)
        return x + self.channel_mlp(self.norm2(x))


class Mixer(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 24, 4, stride=4)
        self.layer = MixerLayer()
        self.head = nn.Linear(24, 5)

    def forward(self, img):
        x = self.stem(img).flatten(2).permute(0, 2, 1)
        return self.head(self.layer(x).mean(1))


model = Mixer()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
imgs, y = torch.randn(10, 3, 16, 16), torch.randint(0, 5, (10,))
for step in range(3):
    loss = nn.functional.cross_entropy(model(imgs), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
