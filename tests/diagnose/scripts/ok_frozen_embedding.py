"""Bag-of-embeddings classifier on frozen pretrained vectors; the optimizer gets all parameters."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(38)
pretrained = torch.randn(100, 20)


class BagClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 20)
        self.emb.weight.data.copy_(pretrained)
        self.emb.weight.requires_grad = False
        self.fc = nn.Linear(20, 3)

    def forward(self, ids):
        return self.fc(self.emb(ids).mean(dim=1))


docs = torch.randint(0, 100, (36, 15))
topics = torch.randint(0, 3, (36,))
model = BagClassifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for db, tb in DataLoader(TensorDataset(docs, topics), batch_size=12):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(db), tb)
    loss.backward()
    opt.step()
print(loss.item())
