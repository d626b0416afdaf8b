import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class CNNRegressor(nn.Module):
    def __init__(self, n_channels=3, n_filters=16):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(n_channels, n_filters, 7, padding=3), nn.ReLU(),
                                  nn.Conv1d(n_filters, n_filters, 5, padding=2), nn.ReLU())
        self.fc = nn.Linear(n_filters, 1)

    def forward(self, X):                                    # [B, channels, length]
        return self.fc(self.conv(X).mean(dim=-1))            # [B, 1]


X = torch.randn(200, 3, 60)
y = X[:, 0, :].mean(dim=1) * 3 + 1                           # one target per series: [200]
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)

network = CNNRegressor()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)


def _run_epoch(dataloader):
    total = 0.0
    for X_batch, y_batch in dataloader:
        y_pred = network(X_batch)
        loss = criterion(y_pred, y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(X_batch)
    return total / len(dataloader.dataset)


for epoch in range(3):
    print('epoch', epoch, 'mse', round(_run_epoch(loader), 4))
