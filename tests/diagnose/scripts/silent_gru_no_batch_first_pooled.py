import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Pooled(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(60, 8)
        self.gru = nn.GRU(8, 8)
        self.fc = nn.Linear(8, 2)

    def forward(self, ids):
        states, _ = self.gru(self.emb(ids))
        return self.fc(states.mean(dim=1))


torch.manual_seed(0)
model = Pooled()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for ids, y in DataLoader(TensorDataset(torch.randint(0, 60, (36, 9)), torch.randint(0, 2, (36,))), batch_size=12):
    loss = nn.functional.cross_entropy(model(ids), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
