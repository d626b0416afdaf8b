import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class CausalBlock(nn.Module):
    def __init__(self, d=32, h=4, ctx=16):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.register_buffer('mask', torch.tril(torch.ones(ctx, ctx)).bool())

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=2)
        q = q.view(B, T, self.h, D // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, D // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, D // self.h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / (D // self.h) ** 0.5
        att = att.masked_fill(~self.mask[:T, :T], float('-inf')).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        return x + self.o(y)


class TinyLM(nn.Module):
    def __init__(self, V=40, d=32):
        super().__init__()
        self.tok = nn.Embedding(V, d)
        self.pos = nn.Embedding(16, d)
        self.block = CausalBlock(d)
        self.lm = nn.Linear(d, V)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        return self.lm(self.block(x))


stream = torch.randint(0, 40, (2000,))
lm = TinyLM()
opt = torch.optim.AdamW(lm.parameters(), lr=1e-3)
for step in range(5):
    ix = torch.randint(0, 2000 - 17, (8,))
    xb = torch.stack([stream[i:i + 16] for i in ix])
    yb = torch.stack([stream[i + 1:i + 17] for i in ix])
    logits = lm(xb)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), yb.view(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
