import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

history, horizon = 48, 12


class TCNForecaster(nn.Module):
    def __init__(self, n_features=4, channels=16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(n_features, channels, 3, padding=2, dilation=2), nn.ReLU(),
            nn.Conv1d(channels, channels, 3, padding=4, dilation=4), nn.ReLU())
        self.head = nn.Conv1d(channels, 1, 1)

    def forward(self, x):                                     # [B, features, history]
        return self.head(self.net(x))[:, :, -horizon:]        # [B, 1, horizon]


series = torch.randn(300, 4, history + horizon).cumsum(dim=-1)
X, y = series[:, :, :history], series[:, 0, history:]          # target: feature 0, next 12 steps -> [N, 12]
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
model = TCNForecaster()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for xb, yb in loader:
        pred = model(xb)
        loss = criterion(pred, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'mse', round(loss.item(), 4))
