import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

raw = np.random.randn(120, 300)
targets = np.random.randint(0, 3, 120)
features = torch.from_numpy(raw).float()
dataset = TensorDataset(features, torch.from_numpy(targets))

model = nn.Sequential(
    nn.Linear(300, 100), nn.BatchNorm1d(100), nn.Tanh(),
    nn.Linear(100, 50), nn.BatchNorm1d(50), nn.Tanh(),
    nn.Linear(50, 3))

loader = DataLoader(dataset, batch_size=20, shuffle=True)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(3):
    total = 0.0
    for x, y in loader:
        logits = model(x)
        loss = criterion(logits.view(x.size(0), -1), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    print('epoch', epoch, total / len(loader))
