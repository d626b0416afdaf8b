"""A bidirectional LSTM sentence encoder flattening h_n [2, B, H] straight into [B, 2H]."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(18)


class Encoder(nn.Module):
    def __init__(self, vocab=80, emb=16, hidden=24):
        super().__init__()
        self.hidden = hidden
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.cls = nn.Linear(2 * hidden, 2)

    def forward(self, tokens):
        _, (h_n, _) = self.lstm(self.emb(tokens))
        sentence = h_n.view(tokens.size(0), 2 * self.hidden)
        return self.cls(sentence)


tokens = torch.randint(0, 80, (48, 11))
sentiment = torch.randint(0, 2, (48,))
loader = DataLoader(TensorDataset(tokens, sentiment), batch_size=12, shuffle=True)
enc = Encoder()
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
for tb, sb in loader:
    opt.zero_grad()
    loss = nn.functional.cross_entropy(enc(tb), sb)
    loss.backward()
    opt.step()
print(loss.item())
