"""A tiny causal LM trained on batches of 8 windows, then sampling from one context whose length
grows through 8: the [1, 8] call's dim 1 has the batch's size but is time, as in training."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
V, T, D, H = 20, 12, 16, 2


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, D)
        self.pos = nn.Embedding(T, D)
        self.qkv = nn.Linear(D, 3 * D)
        self.head = nn.Linear(D, V)

    def forward(self, idx):
        b, t = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(t))
        q, k, v = (z.view(b, t, H, D // H).transpose(1, 2) for z in self.qkv(x).split(D, dim=2))
        att = q @ k.transpose(-2, -1) / (D // H) ** 0.5
        att = att.masked_fill(torch.ones(t, t).tril() == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        return self.head((att @ v).transpose(1, 2).reshape(b, t, D))


data = torch.randint(0, V, (64, T + 1))
loader = DataLoader(TensorDataset(data[:, :-1], data[:, 1:]), batch_size=8, shuffle=True)
model = TinyLM()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for x, y in loader:
    loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()

model.eval()
idx = torch.zeros(1, 1, dtype=torch.long)
with torch.no_grad():
    for _ in range(T - 1):
        probs = F.softmax(model(idx)[:, -1, :], dim=-1)
        idx = torch.cat([idx, torch.multinomial(probs, 1)], dim=1)
print("sampled", idx.tolist())
