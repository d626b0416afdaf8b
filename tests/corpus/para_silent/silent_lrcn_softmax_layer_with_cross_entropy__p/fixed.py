import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X = torch.randn(300, 4)
y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()
classifier = nn.Sequential(nn.Linear(4, 32), nn.ReLU(),
                           nn.Linear(32, 3))
opt = torch.optim.Adam(classifier.parameters(), lr=1e-2)
for epoch in range(3):
    hits = 0
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True):
        out = classifier(xb)
        loss = F.cross_entropy(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        hits += (out.argmax(1) == yb).sum().item()
    print(epoch, loss.item(), hits / 300)
