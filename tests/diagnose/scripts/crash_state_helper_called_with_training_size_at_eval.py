"""A time-major GRU forecaster trained on all 300 windows at once; evaluation resets the state
with the stored training batch size, though the test split holds 100 windows."""
import torch
import torch.nn as nn

torch.manual_seed(0)

steps, n_train, n_test = 12, 300, 100
series = torch.randn(n_train + n_test, steps)
train_x = series[:n_train].t().unsqueeze(-1)   # [steps, 300, 1]
test_x = series[n_train:].t().unsqueeze(-1)    # [steps, 100, 1]
train_y = series[:n_train, -1]


class Forecaster(nn.Module):
    def __init__(self, hidden, batch):
        super().__init__()
        self.hidden, self.batch = hidden, batch
        self.gru = nn.GRU(1, hidden)
        self.head = nn.Linear(hidden, 1)
        self.state = None

    def reset(self, batch):
        self.state = torch.zeros(1, batch, self.hidden)

    def forward(self, x):
        out, self.state = self.gru(x, self.state)
        return self.head(out[-1]).squeeze(-1)


model = Forecaster(16, batch=n_train)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(4):
    model.reset(n_train)
    loss = ((model(train_x) - train_y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()

model.eval()
with torch.no_grad():
    model.reset(model.batch)
    pred = model(test_x)
print(pred.shape)
