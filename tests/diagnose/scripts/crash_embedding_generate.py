"""A GRU text generator that feeds its samples back: its output layer is wider than the vocabulary."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(48)
tokens = ["<s>", "the", "cat", "sat", "on", "a", "mat", "."]
n_tokens = len(tokens)


class Generator(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.emb = nn.Embedding(n_tokens, dim)
        self.gru = nn.GRU(dim, dim, batch_first=True)
        self.proj = nn.Linear(dim, 100)

    def forward(self, seq):
        h, _ = self.gru(self.emb(seq))
        return self.proj(h)

    def generate(self, start, steps):
        seq = start
        for _ in range(steps):
            logits = self(seq)[:, -1]
            nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
            seq = torch.cat([seq, nxt], dim=1)
        return seq


gen = Generator()
out = gen.generate(torch.zeros(3, 1, dtype=torch.long), 12)
print([" ".join(tokens[i] for i in row) for row in out.tolist()])
