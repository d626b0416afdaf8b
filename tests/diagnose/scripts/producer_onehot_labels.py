import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

KINDS = ['cat', 'dog', 'bird']


def encode(kind):
    return F.one_hot(torch.tensor(KINDS.index(kind)), len(KINDS))


features = torch.randn(12, 6)
labels = torch.stack([encode(KINDS[i % 3]) for i in range(12)])
loader = DataLoader(TensorDataset(features, labels), batch_size=4)
model = nn.Linear(6, len(KINDS))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in loader:
    loss = F.cross_entropy(model(x), y.view(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print('loss', loss.item())
