import torch
import torch.nn as nn

torch.manual_seed(0)


class MHSA(nn.Module):
    def __init__(self, D=32, heads=4):
        super().__init__()
        self.h = heads
        self.q, self.k, self.v = nn.Linear(D, D), nn.Linear(D, D), nn.Linear(D, D)
        self.o = nn.Linear(D, D)

    def forward(self, x):
        B, T, D = x.shape
        d = D // self.h
        q = self.q(x).view(B, T, self.h, d).transpose(1, 2)
        k = self.k(x).view(B, T, self.h, d).transpose(1, 2)
        v = self.v(x).view(B, T, self.h, d).transpose(1, 2)
        weights = torch.softmax(q @ k.transpose(-1, -2) / d ** 0.5, dim=-1)
        ctx = (weights @ v).transpose(1, 2).reshape(B, T, D)
        return self.o(ctx)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 32)
        self.attn = MHSA()
        self.out = nn.Linear(32, 5)

    def forward(self, tok):
        x = self.emb(tok)
        return self.out(x + self.attn(x))


model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
tok, tags = torch.randint(0, 100, (8, 20)), torch.randint(0, 5, (8, 20))
for step in range(3):
    loss = nn.functional.cross_entropy(model(tok).reshape(-1, 5), tags.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
