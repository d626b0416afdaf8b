import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(18)

TEMPERATURE = 0.07


class DualEncoder(nn.Module):
    def __init__(self, img_dim=48, txt_dim=30, joint=16):
        super().__init__()
        self.img_proj = nn.Linear(img_dim, joint)
        self.txt_proj = nn.Linear(txt_dim, joint)

    def forward(self, img_feat, txt_feat):
        return F.normalize(self.img_proj(img_feat), dim=-1), F.normalize(self.txt_proj(txt_feat), dim=-1)


def contrastive_logits(a, b):
    sim = torch.dot(a, b.T) / TEMPERATURE
    return sim


enc = DualEncoder()
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
for step in range(5):
    img, txt = torch.randn(10, 48), torch.randn(10, 30)
    zi, zt = enc(img, txt)
    logits = contrastive_logits(zi, zt)
    target = torch.arange(logits.size(0))
    loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
