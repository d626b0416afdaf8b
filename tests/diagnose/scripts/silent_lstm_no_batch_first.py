"""Activity recognition: a 2-layer LSTM built without batch_first on DataLoader batches [B, T, F]."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(52)


class Recordings(Dataset):
    def __init__(self, n=48, steps=20, channels=9):
        self.x = torch.randn(n, steps, channels)
        self.y = torch.randint(0, 6, (n,))

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"signal": self.x[i], "activity": self.y[i]}


class HAR(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(9, 32, num_layers=2, dropout=0.1)
        self.classify = nn.Linear(32, 6)

    def forward(self, signal):
        lstm_out, _ = self.lstm(signal)
        return self.classify(lstm_out[:, -1, :])


model = HAR()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for batch in DataLoader(Recordings(), batch_size=12, shuffle=True):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(batch["signal"]), batch["activity"])
    loss.backward()
    opt.step()
print(loss.item())
