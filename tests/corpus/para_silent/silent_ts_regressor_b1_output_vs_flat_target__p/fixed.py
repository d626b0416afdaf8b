import torch
import torch.nn as nn

torch.manual_seed(0)

features = torch.randn(500, 8)
prices = features @ torch.linspace(-1, 1, 8) + 3.0
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(3):
    perm = torch.randperm(500)
    for i in range(0, 500, 64):
        idx = perm[i:i + 64]
        x, price = features[idx], prices[idx]
        price_hat = model(x)
        loss = ((price_hat.squeeze(1) - price) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
