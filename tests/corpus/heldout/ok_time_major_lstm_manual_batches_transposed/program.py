import torch
import torch.nn as nn

torch.manual_seed(0)

windows = torch.sin(torch.linspace(0, 60, 3000)).unfold(0, 31, 5)     # [N, 31] sliding windows
X, y = windows[:, :30].unsqueeze(-1), windows[:, 30:]                  # [N, 30, 1], [N, 1]


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=2)                     # expects [T, B, F]
        self.fc = nn.Linear(hidden, 1)

    def forward(self, seq):                                              # [T, B, 1]
        out, _ = self.lstm(seq)
        return self.fc(out[-1])                                          # last time step: [B, 1]


model = Forecaster()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
criterion = nn.MSELoss()
bs = 64
for epoch in range(3):
    for i in range(0, len(X), bs):
        xb = X[i:i + bs].transpose(0, 1)                                 # [30, B, 1]
        loss = criterion(model(xb), y[i:i + bs])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'mse', round(loss.item(), 5))
