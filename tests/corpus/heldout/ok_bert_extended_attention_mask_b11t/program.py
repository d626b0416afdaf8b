import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class BertSelfAttention(nn.Module):
    def __init__(self, hidden=64, heads=4):
        super().__init__()
        self.h, self.d = heads, hidden // heads
        self.query, self.key, self.value = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)

    def transpose_for_scores(self, x):
        B, T, _ = x.shape
        return x.view(B, T, self.h, self.d).permute(0, 2, 1, 3)     # [B, H, T, d]

    def forward(self, hidden_states, extended_attention_mask):
        q = self.transpose_for_scores(self.query(hidden_states))
        k = self.transpose_for_scores(self.key(hidden_states))
        v = self.transpose_for_scores(self.value(hidden_states))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d)           # [B, H, T, T]
        scores = scores + extended_attention_mask                       # [B, 1, 1, T] broadcasts
        context = F.softmax(scores, dim=-1) @ v
        context = context.permute(0, 2, 1, 3).contiguous()
        return context.view(context.size(0), context.size(1), -1)


class MiniBert(nn.Module):
    def __init__(self, vocab=1000, hidden=64, n_labels=2):
        super().__init__()
        self.emb = nn.Embedding(vocab, hidden)
        self.attn = BertSelfAttention(hidden)
        self.ln = nn.LayerNorm(hidden)
        self.classifier = nn.Linear(hidden, n_labels)

    def forward(self, input_ids, attention_mask):
        extended = attention_mask[:, None, None, :].to(torch.float32)
        extended = (1.0 - extended) * torch.finfo(torch.float32).min
        h = self.emb(input_ids)
        h = self.ln(h + self.attn(h, extended))
        return self.classifier(h[:, 0])


lengths = torch.randint(5, 32, (24,))
input_ids = torch.randint(1, 1000, (24, 32))
attention_mask = (torch.arange(32)[None, :] < lengths[:, None]).long()
labels = torch.randint(0, 2, (24,))
model = MiniBert()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for step in range(5):
    loss = F.cross_entropy(model(input_ids, attention_mask), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
