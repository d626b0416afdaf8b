"""Sensor windows [B, C, T] from a 1-D conv are read as [B, T, C] with a view instead of a transpose."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(6, 8, 3, padding=1)
        self.rnn = nn.GRU(8, 16, batch_first=True)
        self.head = nn.Linear(16, 4)

    def forward(self, x):                      # x: [batch, channels, steps]
        h = torch.relu(self.conv(x))
        b, c, t = h.shape
        h = h.view(b, t, c)
        out, _ = self.rnn(h)
        return self.head(out[:, -1])


signals = torch.randn(48, 6, 20)
labels = torch.randint(0, 4, (48,))
model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(signals, labels), batch_size=16):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
