"""A word-level LSTM language model: logits [B, T, V] flattened to [B*T, V] for the loss."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(33)
V = 40


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 24)
        self.rnn = nn.LSTM(24, 32, batch_first=True)
        self.dec = nn.Linear(32, V)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.dec(h)


stream = torch.randint(0, V, (16, 13))
inputs, targets = stream[:, :-1], stream[:, 1:]
lm = LM()
opt = torch.optim.Adam(lm.parameters(), lr=2e-3)
for xb, yb in DataLoader(TensorDataset(inputs, targets), batch_size=4):
    logits = lm(xb)
    B, T, _ = logits.shape
    loss = nn.functional.cross_entropy(logits.reshape(B * T, V), yb.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ppl", loss.exp().item())
