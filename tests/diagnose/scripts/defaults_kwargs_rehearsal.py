"""A token classifier called with its padding mask as a keyword; pooled with a fixed batch size."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
BATCH = 4


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, ids, attention_mask):
        h = self.emb(ids) * attention_mask.unsqueeze(-1)
        pooled = h.sum(1).view(BATCH, 8)
        return self.out(pooled)


ids = torch.randint(0, 50, (10, 6))
mask = torch.ones(10, 6)
labels = torch.randint(0, 3, (10,))
loader = DataLoader(TensorDataset(ids, mask, labels), batch_size=BATCH)
model = Tagger()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, m, y in loader:
    loss = nn.functional.cross_entropy(model(x, attention_mask=m), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("done")
