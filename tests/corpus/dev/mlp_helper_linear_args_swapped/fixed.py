import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

LAYER_SIZES = [20, 64, 32, 3]


def make_mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


X = torch.randn(96, LAYER_SIZES[0])
y = torch.randint(0, LAYER_SIZES[-1], (96,))
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
model = make_mlp(LAYER_SIZES)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()


def evaluate(model, X, y):
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


for epoch in range(3):
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print('epoch', epoch, 'acc', evaluate(model, X, y))
