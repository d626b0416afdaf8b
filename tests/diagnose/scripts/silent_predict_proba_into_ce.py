import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 5))

    def forward(self, x):
        return self.net(x)

    def probabilities(self, x):
        return torch.softmax(self(x), dim=1)


model = Scorer()
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loader = DataLoader(TensorDataset(torch.randn(64, 12), torch.randint(0, 5, (64,))), batch_size=16)
val_loader = DataLoader(TensorDataset(torch.randn(40, 12), torch.randint(0, 5, (40,))), batch_size=20)
for epoch in range(2):
    model.train()
    for x, y in loader:
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        for x, y in val_loader:
            p = model.probabilities(x)
            val = loss_fn(p, y)
    print(epoch, round(val.item(), 3))
