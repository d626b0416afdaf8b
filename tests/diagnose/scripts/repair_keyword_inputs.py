import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, vocab=50, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pool_proj = nn.Linear(32, 3)

    def forward(self, input_ids, attention_mask=None):
        h = self.embed(input_ids)
        if attention_mask is not None:
            h = h * attention_mask.unsqueeze(-1)
        pooled = h.sum(1) / attention_mask.sum(1, keepdim=True)
        return self.pool_proj(pooled)


model = Encoder()
opt = torch.optim.Adam(model.parameters())
ids = torch.randint(0, 50, (6, 10))
mask = torch.ones(6, 10)
mask[:, 7:] = 0
y = torch.randint(0, 3, (6,))
for step in range(2):
    loss = nn.functional.cross_entropy(model(ids, attention_mask=mask), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
