import torch
import torch.nn as nn

torch.manual_seed(0)


class PatchEmbed(nn.Module):
    def __init__(self, p=4, dim=32):
        super().__init__()
        self.p = p
        self.proj = nn.Linear(3 * p * p, dim)

    def forward(self, img):
        b, c, h, w = img.shape
        p = self.p
        tokens = img.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // p) * (w // p), c * p * p)
        return self.proj(tokens)


class PatchClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = PatchEmbed()
        self.enc = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True)
        self.head = nn.Linear(32, 10)

    def forward(self, img):
        return self.head(self.enc(self.embed(img)).mean(1))


model = PatchClassifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
imgs, y = torch.randn(16, 3, 24, 24), torch.randint(0, 10, (16,))
for step in range(3):
    loss = nn.functional.cross_entropy(model(imgs), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
