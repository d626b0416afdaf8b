# A hand-written recurrent cell on one univariate series: the loss compares the whole hidden
# vector with the next value, so every hidden unit is trained toward the same number.
import torch
import torch.nn as nn

torch.manual_seed(0)
series = torch.sin(torch.linspace(0, 6.28, 40))


class Cell(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.inp = nn.Linear(1, hidden)
        self.rec = nn.Linear(hidden, hidden)

    def forward(self, x, h):
        return torch.tanh(self.inp(x) + self.rec(h))


cell = Cell()
opt = torch.optim.Adam(cell.parameters(), lr=1e-2)
for epoch in range(3):
    h = torch.zeros(16)
    loss = 0.0
    for t in range(len(series) - 1):
        h = cell(series[t:t + 1], h)
        loss = loss + nn.functional.mse_loss(h, series[t + 1:t + 2])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", float(loss))
