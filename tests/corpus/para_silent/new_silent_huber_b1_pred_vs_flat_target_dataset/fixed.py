import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class Faces(Dataset):
    def __init__(self, n=96):
        self.x = torch.randn(n, 1, 16, 16)
        self.age = torch.rand(n) * 60 + 10

    def __len__(self):
        return len(self.age)

    def __getitem__(self, i):
        return self.x[i], self.age[i]


model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(),
                      nn.Linear(128, 1))
criterion = nn.HuberLoss(delta=5.0)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(2):
    for x, age in DataLoader(Faces(), batch_size=24, shuffle=True):
        loss = criterion(model(x).squeeze(1), age)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
