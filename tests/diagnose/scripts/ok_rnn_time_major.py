"""An LSTM used time-major on purpose: the DataLoader batch [B, T, F] is transposed first."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(47)


class TimeMajor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 12)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        out, (h, c) = self.lstm(x.transpose(0, 1))
        return self.fc(out[-1])


X = torch.randn(40, 9, 5)
Y = torch.randint(0, 3, (40,))
model = TimeMajor()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(X, Y), batch_size=8):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print(loss.item())
