import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 7 * 7, 10))
train = DataLoader(TensorDataset(torch.randn(120, 1, 16, 16), torch.randint(0, 10, (120,))), batch_size=30)
test = DataLoader(TensorDataset(torch.randn(50, 1, 16, 16), torch.randint(0, 10, (50,))), batch_size=25)
opt = torch.optim.SGD(net.parameters(), lr=0.05)
for xb, yb in train:
    loss = F.cross_entropy(net(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
net.eval()
total, correct = 0.0, 0
with torch.inference_mode():
    for xb, yb in test:
        out = net(xb)
        total += F.cross_entropy(out, yb, reduction='sum').item()
        correct += (out.max(1)[1] == yb).sum().item()
print(total / 50, correct / 50)
