import torch
import torch.nn as nn

torch.manual_seed(0)

X = torch.randn(300, 12)
y = (X[:, :3].sum(1) > 0).float().unsqueeze(1)
model = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 1))
criterion = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(3):
    for i in range(0, 300, 60):
        logits = model(X[i:i + 60])
        loss = criterion(logits, y[i:i + 60])
        opt.zero_grad()
        loss.backward()
        opt.step()
        probs = torch.sigmoid(logits)
        acc = ((probs > 0.5).float() == y[i:i + 60]).float().mean()
    print(epoch, loss.item(), acc.item())
