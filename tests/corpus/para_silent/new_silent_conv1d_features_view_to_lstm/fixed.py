import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class ConvLSTM1d(nn.Module):
    def __init__(self, leads=2, ch=16, hid=32, n_cls=3):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(leads, ch, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2))
        self.lstm = nn.LSTM(ch, hid, batch_first=True)
        self.fc = nn.Linear(hid, n_cls)

    def forward(self, x):
        x = self.conv(x)
        x = x.transpose(1, 2)
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


beats = TensorDataset(torch.randn(64, 2, 120), torch.randint(0, 3, (64,)))
model = ConvLSTM1d()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(beats, batch_size=16, shuffle=True):
    loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
