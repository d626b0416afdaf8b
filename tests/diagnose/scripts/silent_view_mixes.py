"""Per-sample sequences of 6 steps x 10 features regrouped into rows of 40 by mistake."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(10, 10)
        self.mix = nn.Linear(40, 20)
        self.out = nn.Linear(30, 1)

    def forward(self, x):
        b = x.shape[0]
        h = torch.tanh(self.encode(x))
        h = h.view(-1, 40)
        h = torch.relu(self.mix(h))
        return self.out(h.view(b, -1))


X = torch.randn(96, 6, 10)
y = X.mean(dim=(1, 2)).unsqueeze(1)
loader = DataLoader(TensorDataset(X, y), batch_size=32)
model = Regressor()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in loader:
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
