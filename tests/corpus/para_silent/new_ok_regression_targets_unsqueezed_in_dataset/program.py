import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class Curves(Dataset):
    def __init__(self, n=120):
        self.x = torch.randn(n, 5)
        self.y = self.x.sum(1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i].unsqueeze(0)


model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for xb, yb in DataLoader(Curves(), batch_size=20, shuffle=True):
    loss = nn.functional.mse_loss(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
