"""InfoNCE: a [N, N] similarity matrix, softmax/cross_entropy across samples on purpose, and
features centred over the batch (x - x.mean(0)) / x.std(0)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(12)

enc = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 16))
x = torch.randn(64, 10)
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
for (xb,) in DataLoader(TensorDataset(x), batch_size=16):
    z1 = F.normalize(enc(xb + 0.1 * torch.randn_like(xb)), dim=1)
    z2 = F.normalize(enc(xb + 0.1 * torch.randn_like(xb)), dim=1)
    logits = z1 @ z2.t() / 0.1
    labels = torch.arange(len(xb))
    zc = (z1 - z1.mean(0)) / (z1.std(0) + 1e-5)
    loss = F.cross_entropy(logits, labels) + 0.01 * (zc.t() @ zc / len(xb)).pow(2).mean()
    acc = (logits.softmax(dim=1).argmax(1) == labels).float().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item(), "acc", acc.item())
