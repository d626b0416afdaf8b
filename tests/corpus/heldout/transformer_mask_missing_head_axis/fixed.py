import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

D_MODEL, N_HEAD, VOCAB, PAD = 32, 4, 100, 0


class ScaleDotProductAttention(nn.Module):
    def forward(self, q, k, v, mask=None):
        d_tensor = k.size(-1)
        score = (q @ k.transpose(2, 3)) / math.sqrt(d_tensor)
        if mask is not None:
            score = score.masked_fill(mask == 0, -10000)
        return F.softmax(score, dim=-1) @ v


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.n_head = n_head
        self.w_q, self.w_k, self.w_v = (nn.Linear(d_model, d_model) for _ in range(3))
        self.w_concat = nn.Linear(d_model, d_model)
        self.attention = ScaleDotProductAttention()

    def split(self, t):
        b, l, d = t.size()
        return t.view(b, l, self.n_head, d // self.n_head).transpose(1, 2)

    def forward(self, q, k, v, mask=None):
        q, k, v = self.split(self.w_q(q)), self.split(self.w_k(k)), self.split(self.w_v(v))
        out = self.attention(q, k, v, mask=mask)
        b, h, l, d = out.size()
        return self.w_concat(out.transpose(1, 2).contiguous().view(b, l, h * d))


class EncoderClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D_MODEL, padding_idx=PAD)
        self.attention = MultiHeadAttention(D_MODEL, N_HEAD)
        self.norm = nn.LayerNorm(D_MODEL)
        self.out = nn.Linear(D_MODEL, 2)

    def forward(self, src, src_mask):
        x = self.emb(src)
        x = self.norm(x + self.attention(x, x, x, mask=src_mask))
        return self.out(x.mean(dim=1))


def make_src_mask(src):
    pad = src != PAD
    return (pad.unsqueeze(1) & pad.unsqueeze(2)).unsqueeze(1)


src = torch.randint(1, VOCAB, (6, 10))
src[:, 7:] = PAD
labels = torch.randint(0, 2, (6,))
model = EncoderClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
for step in range(2):
    logits = model(src, src_mask=make_src_mask(src))
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
