"""A tiny token classifier: LayerNorm sized with the feed-forward width instead of d_model."""
import torch
import torch.nn as nn

torch.manual_seed(7)
vocab, d_model, d_ff = 50, 48, 64


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(vocab, d_model)
        self.norm = nn.LayerNorm(d_ff)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))
        self.out = nn.Linear(d_model, 4)

    def forward(self, ids):
        h = self.norm(self.emb(ids))
        h = h + self.ff(h)
        return self.out(h)


model = Tagger()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
ids = torch.randint(0, vocab, (4, 9))
tags = torch.randint(0, 4, (4, 9))
for _ in range(3):
    logits = model(ids)
    loss = nn.functional.cross_entropy(logits.reshape(-1, 4), tags.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
