"""The model ends in nn.Softmax and is trained with nn.CrossEntropyLoss."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(22)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 5))
        self.probs = nn.Softmax(dim=1)

    def forward(self, x):
        return self.probs(self.layers(x))


X = torch.randn(40, 10)
Y = torch.randint(0, 5, (40,))
model = Classifier()
criterion = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for xb, yb in DataLoader(TensorDataset(X, Y), batch_size=10):
    out = model(xb)
    loss = criterion(out, yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
