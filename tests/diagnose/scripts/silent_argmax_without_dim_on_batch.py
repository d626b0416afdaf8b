# Accuracy of a classifier computed with argmax() without a dim: one index for the whole batch.
import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.randn(96, 20)
y = torch.randint(0, 5, (96,))
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 5))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    for i in range(0, 96, 32):
        logits = model(x[i:i + 32])
        loss = nn.functional.cross_entropy(logits, y[i:i + 32])
        opt.zero_grad()
        loss.backward()
        opt.step()
        pred = logits.argmax()
        acc = (pred == y[i:i + 32]).float().mean()
    print("epoch", epoch, "acc", round(acc.item(), 3))

# one state at a time (a batch of one): a flat argmax is the action itself, nothing to report
state = torch.randn(1, 20)
action = model(state).argmax().item()
print("action", action)
