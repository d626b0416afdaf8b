"""Manual batching (no DataLoader): batch-first slices fed to an LSTM built without batch_first."""
import torch
import torch.nn as nn

torch.manual_seed(7)


class Forecast(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 24)
        self.fc = nn.Linear(24, 1)

    def forward(self, seq):
        out, _ = self.lstm(seq)
        return self.fc(out[:, -1])


series = torch.randn(96, 15, 4)
target = series[:, -1, :1] * 0.5
model = Forecast()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
bs = 24
for start in range(0, len(series), bs):
    xb, yb = series[start:start + bs], target[start:start + bs]
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
