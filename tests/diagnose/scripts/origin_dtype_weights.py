"""Class weights computed with NumPy (float64) for a float32 model."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)

labels = np.random.choice(3, size=40, p=[0.5, 0.3, 0.2])
freq = np.bincount(labels, minlength=3) / len(labels)
class_weights = torch.tensor(1.0 / freq)

model = nn.Linear(5, 3)
criterion = nn.CrossEntropyLoss(weight=class_weights)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(40, 5)
y = torch.from_numpy(labels)
for step in range(2):
    loss = criterion(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
