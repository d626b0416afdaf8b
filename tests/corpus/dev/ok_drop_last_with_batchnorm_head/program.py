import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

features = torch.randn(250, 24)
targets = torch.randint(0, 3, (250,))
train_loader = DataLoader(TensorDataset(features[:225], targets[:225]), batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(TensorDataset(features[225:], targets[225:]), batch_size=32)

model = nn.Sequential(nn.Linear(24, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(3):
    model.train()
    n_batches = 0
    for xb, yb in train_loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n_batches += 1
    model.eval()
    with torch.no_grad():
        correct = sum((model(xb).argmax(dim=1) == yb).sum().item() for xb, yb in val_loader)
    print('epoch', epoch, 'batches', n_batches, 'loss', round(loss.item(), 4), 'val acc', correct / 25)
