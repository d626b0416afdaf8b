"""Masked self-attention written by hand: a padding mask [B, 1, 1, T] broadcast over heads and queries."""
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(30)


class SelfAttention(nn.Module):
    def __init__(self, d=32, heads=4, vocab=60, n_cls=3):
        super().__init__()
        self.h, self.dk = heads, d // heads
        self.emb = nn.Embedding(vocab, d, padding_idx=0)
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.cls = nn.Linear(d, n_cls)

    def forward(self, ids):
        B, T = ids.shape
        x = self.emb(ids)
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.dk).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.dk)
        pad = (ids == 0).view(B, 1, 1, T)
        scores = scores.masked_fill(pad, float("-inf"))
        att = scores.softmax(dim=-1) @ v
        x = self.o(att.transpose(1, 2).reshape(B, T, -1))
        keep = (ids != 0).unsqueeze(-1).float()
        pooled = (x * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1)
        return self.cls(pooled)


ids = torch.randint(1, 60, (32, 10))
ids[:, 7:] = 0
labels = torch.randint(0, 3, (32,))
model = SelfAttention()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(ids, labels), batch_size=8):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print(loss.item())
