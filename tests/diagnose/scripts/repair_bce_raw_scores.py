import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.randn(32, 10) * 10
y = (torch.rand(32, 1) > 0.5).float()
model = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 1))
criterion = nn.BCELoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(2):
    loss = criterion(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
