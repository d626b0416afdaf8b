"""Next-value forecasting: a GRU without batch_first reads a DataLoader batch [B, T, F]."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(23)


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(input_size=3, hidden_size=20, num_layers=1)
        self.fc = nn.Linear(20, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(out[:, -1])


t = torch.linspace(0, 12, 40 * 30 * 3).view(40, 30, 3)
series = torch.sin(t)
nxt = series[:, -1, :1] * 0.9
loader = DataLoader(TensorDataset(series, nxt), batch_size=8, shuffle=True)
model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in loader:
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
