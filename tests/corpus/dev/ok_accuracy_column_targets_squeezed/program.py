import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

x = torch.randn(400, 30)
y = torch.randint(0, 4, (400, 1))                                     # labels as a column, as read from a CSV
loader = DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True)
model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 4))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    correct = 0
    for xb, yb in loader:
        yb = yb.squeeze(1)                                            # [B, 1] -> [B]
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        correct += (logits.argmax(dim=1) == yb).sum().item()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'train acc', correct / len(loader.dataset))
