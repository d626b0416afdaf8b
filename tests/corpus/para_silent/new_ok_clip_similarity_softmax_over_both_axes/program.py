import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

img_enc = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 16))
txt_enc = nn.Sequential(nn.Embedding(100, 16), nn.Flatten(), nn.Linear(16 * 6, 16))
params = list(img_enc.parameters()) + list(txt_enc.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
imgs, caps = torch.randn(64, 30), torch.randint(0, 100, (64, 6))
for i in range(0, 64, 16):
    zi = F.normalize(img_enc(imgs[i:i + 16]), dim=-1)
    zt = F.normalize(txt_enc(caps[i:i + 16]), dim=-1)
    logits = zi @ zt.t() / 0.07
    labels = torch.arange(logits.shape[0])
    p_img = logits.softmax(dim=0)
    loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item(), p_img.sum(0)[:2])
