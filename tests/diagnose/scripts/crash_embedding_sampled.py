"""A character model that feeds its own samples back in: the output head is wider than the vocabulary."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(16)
alphabet = "abcdefghijklmnopqrstuvwxyz "
vocab_size = len(alphabet)


class CharModel(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden)
        self.cell = nn.GRUCell(hidden, hidden)
        self.head = nn.Linear(hidden, 256)

    def step(self, ch, h):
        h = self.cell(self.embed(ch), h)
        return self.head(h), h

    def sample(self, n):
        ch = torch.zeros(1, dtype=torch.long)
        h = torch.zeros(1, 32)
        out = []
        for _ in range(n):
            logits, h = self.step(ch, h)
            probs = F.softmax(logits, dim=-1)
            ch = torch.multinomial(probs, 1).squeeze(1)
            out.append(alphabet[ch.item()] if ch.item() < vocab_size else "?")
        return "".join(out)


model = CharModel()
print(model.sample(40))
