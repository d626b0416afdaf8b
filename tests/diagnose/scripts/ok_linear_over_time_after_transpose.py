# A DLinear-style forecaster: a Linear over the time axis, moved last on purpose, after a GRU whose
# last step is read correctly. Nothing to report.
import torch
import torch.nn as nn

torch.manual_seed(0)
LOOKBACK, HORIZON, CHANNELS = 16, 4, 16


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(CHANNELS, CHANNELS, batch_first=True)
        self.over_time = nn.Linear(LOOKBACK, HORIZON)

    def forward(self, x):
        seq, _ = self.gru(x)                       # [B, T, C]
        trend = self.over_time(seq.transpose(1, 2))  # [B, C, HORIZON]
        level = seq[:, -1, :].unsqueeze(-1)           # [B, C, 1]
        return (trend + level).transpose(1, 2)      # [B, HORIZON, C]


series = torch.randn(32, LOOKBACK + HORIZON, CHANNELS)
model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for start in range(0, 32, 8):
    batch = series[start:start + 8]
    pred = model(batch[:, :LOOKBACK])
    loss = nn.functional.mse_loss(pred, batch[:, LOOKBACK:])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", float(loss))
