import torch
import torch.nn as nn

torch.manual_seed(0)

windows = torch.randn(160, 30, 4)
target = windows[:, -1, 0] * 2


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 24, batch_first=True)
        self.head = nn.Linear(24, 1)

    def forward(self, w):
        out, _ = self.lstm(w)
        return self.head(out[:, -1]).squeeze(-1)


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(0, 160, 32):
    loss = nn.functional.mse_loss(model(windows[i:i + 32]), target[i:i + 32])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
