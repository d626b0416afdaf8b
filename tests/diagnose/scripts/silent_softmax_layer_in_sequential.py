import torch
import torch.nn as nn

torch.manual_seed(0)

model = nn.Sequential(
    nn.Linear(5, 12),
    nn.Tanh(),
    nn.Linear(12, 3),
    nn.Softmax(dim=-1),
)
criterion = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(24, 5), torch.randint(0, 3, (24,))
for i in range(0, 24, 8):
    probs = model(x[i:i + 8])
    loss = criterion(probs, y[i:i + 8])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item(), probs.argmax(-1).tolist())
