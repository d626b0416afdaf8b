"""Attention pooling over GRU states: the attention weights are [B, T], bmm wants [B, 1, T]."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(14)


class AttnPool(nn.Module):
    def __init__(self, feat, hidden, classes):
        super().__init__()
        self.rnn = nn.GRU(feat, hidden, batch_first=True)
        self.score = nn.Linear(hidden, 1)
        self.cls = nn.Linear(hidden, classes)

    def forward(self, x):
        states, _ = self.rnn(x)
        weights = F.softmax(self.score(states).squeeze(-1), dim=1)
        pooled = torch.bmm(weights, states).squeeze(1)
        return self.cls(pooled)


model = AttnPool(feat=10, hidden=16, classes=3)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
seqs = torch.randn(5, 7, 10)
labels = torch.randint(0, 3, (5,))
for _ in range(2):
    opt.zero_grad()
    F.cross_entropy(model(seqs), labels).backward()
    opt.step()
print("ok")
