"""Two heads sized for the wrong width, on a model that takes its mask as a keyword."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(30, 12)
        self.proj = nn.Linear(10, 16)
        self.head = nn.Linear(20, 2)

    def forward(self, ids, attention_mask=None):
        h = self.emb(ids) * attention_mask.unsqueeze(-1)
        return self.head(torch.relu(self.proj(h.mean(1))))


model = Encoder()
opt = torch.optim.Adam(model.parameters())
ids = torch.randint(0, 30, (4, 5))
mask = torch.ones(4, 5)
loss = model(ids, attention_mask=mask).sum()
loss.backward()
opt.step()
print("done")
