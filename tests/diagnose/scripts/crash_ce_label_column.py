"""Labels read as a column (one list per row) and wrapped in a TensorDataset."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(10)

rows = [[0.1 * i, 0.2 * (i % 7), 1.0 - 0.01 * i] for i in range(60)]
classes = [[i % 4] for i in range(60)]
features = torch.tensor(rows)
labels = torch.tensor(classes)
train = DataLoader(TensorDataset(features, labels), batch_size=20, shuffle=True)

clf = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 4))
criterion = nn.CrossEntropyLoss()
optim = torch.optim.SGD(clf.parameters(), lr=0.1)
for epoch in range(2):
    for xb, yb in train:
        optim.zero_grad()
        loss = criterion(clf(xb), yb)
        loss.backward()
        optim.step()
print("final loss", loss.item())
