import torch
import torch.nn as nn

torch.manual_seed(0)

series = torch.cumsum(torch.randn(2000, 3), dim=0)
T = 24
windows = torch.stack([series[i:i + T] for i in range(0, 1900, 5)])
target = torch.stack([series[i + T, 0] for i in range(0, 1900, 5)])


class Forecaster(nn.Module):
    def __init__(self, n_features=3):
        super().__init__()
        self.lstm = nn.LSTM(n_features, 32, num_layers=2)
        self.head = nn.Linear(32, 1)

    def forward(self, w):
        out, _ = self.lstm(w)
        return self.head(out[:, -1]).squeeze(-1)


model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
bs = 32
for epoch in range(2):
    for i in range(0, len(windows) - bs + 1, bs):
        pred = model(windows[i:i + bs])
        loss = nn.functional.mse_loss(pred, target[i:i + bs])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
