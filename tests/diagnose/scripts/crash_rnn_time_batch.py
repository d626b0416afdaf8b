"""Sensor windows [B, T, F] from a DataLoader into a GRU built without batch_first."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(15)


class SensorNet(nn.Module):
    def __init__(self, n_feat=6, hidden=32, n_cls=4):
        super().__init__()
        self.proj = nn.Linear(n_feat, hidden)
        self.gru = nn.GRU(hidden, hidden)
        self.fc = nn.Linear(hidden, n_cls)

    def forward(self, x):
        x = self.proj(x)
        out, h = self.gru(x)
        return self.fc(out[-1])


windows = torch.randn(64, 25, 6)
activity = torch.randint(0, 4, (64,))
loader = DataLoader(TensorDataset(windows, activity), batch_size=16, shuffle=True)
model = SensorNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
for xb, yb in loader:
    opt.zero_grad()
    loss = crit(model(xb), yb)
    loss.backward()
    opt.step()
print(loss.item())
