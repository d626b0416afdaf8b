import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

feats = torch.randn(9, 6)
labels = torch.randint(0, 3, (9, 1))
loader = DataLoader(TensorDataset(feats, labels), batch_size=4)
model = nn.Linear(6, 3)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in loader:
    loss = nn.functional.cross_entropy(model(x), y.squeeze())
    opt.zero_grad()
    loss.backward()
    opt.step()
