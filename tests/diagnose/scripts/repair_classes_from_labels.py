import torch
import torch.nn as nn

labels = torch.randint(0, 7, (50,))
labels[3] = 6
feats = torch.randn(50, 12)
model = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, int(labels.max())))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(3):
    loss = nn.CrossEntropyLoss()(model(feats), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
