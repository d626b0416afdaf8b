"""A stateful GRU classifier resets its hidden state before every batch; the reset takes the
batch size as an optional argument and falls back to the one the model was built with, so the
last, partial batch (50 = 3·16 + 2) meets a state for 16 samples."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
BATCH, STEPS, FEATS, HIDDEN = 16, 9, 5, 12


class StatefulGRU(nn.Module):
    def __init__(self, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.gru = nn.GRU(FEATS, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, 2)
        self.reset_state()

    def reset_state(self, batch_size=None):
        n = batch_size or self.batch_size
        self.state = torch.zeros(1, n, HIDDEN)

    def forward(self, x):
        out, self.state = self.gru(x, self.state)
        return self.head(out[:, -1])


data = TensorDataset(torch.randn(50, STEPS, FEATS), torch.randint(0, 2, (50,)))
model = StatefulGRU(BATCH)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(2):
    for x, y in DataLoader(data, batch_size=BATCH, shuffle=True):
        model.reset_state()
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
print("loss", loss.item())
