import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class Sentences(Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(0)
        self.items = [torch.randint(1, 30, (int(n),), generator=g) for n in torch.randint(3, 9, (12,), generator=g)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i], i % 2


model = nn.Sequential(nn.Embedding(30, 8), nn.Flatten(0, -1))
emb = nn.Embedding(30, 8)
head = nn.Linear(8, 2)
opt = torch.optim.SGD(list(emb.parameters()) + list(head.parameters()), lr=0.1)
for tokens, label in DataLoader(Sentences(), batch_size=4):
    loss = nn.functional.cross_entropy(head(emb(tokens).mean(1)), label)
    opt.zero_grad()
    loss.backward()
    opt.step()
