import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)


class SensorGRU(nn.Module):
    def __init__(self, n_channels=9, hidden=16, layers=2, n_activities=6):
        super().__init__()
        self.hidden, self.layers = hidden, layers
        self.rnn = nn.GRU(n_channels, hidden, num_layers=layers)
        self.cls = nn.Linear(hidden, n_activities)

    def forward(self, windows):
        h0 = torch.zeros(self.layers, windows.size(0), self.hidden)
        _, h_n = self.rnn(windows, h0)
        return self.cls(h_n[-1])


# accelerometer windows: [n_windows, time steps, channels]
windows = torch.randn(36, 20, 9)
activity = torch.randint(0, 6, (36,))
loader = DataLoader(TensorDataset(windows, activity), batch_size=6, shuffle=True)
model = SensorGRU()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(2):
    for w, a in loader:
        loss = nn.functional.cross_entropy(model(w), a)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
