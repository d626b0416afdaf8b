import torch
import torch.nn as nn

torch.manual_seed(0)

text = torch.randint(0, 30, (3000,))
ctx, vocab = 4, 30


class CharMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(vocab, 16)
        self.hidden = nn.Linear(ctx * 16, 64)
        self.out = nn.Linear(64, vocab)

    def forward(self, idx):
        e = self.emb(idx).flatten(1)
        h = self.out(torch.tanh(self.hidden(e)))
        return h


lm = CharMLP()
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(lm.parameters(), lr=0.1)
for step in range(30):
    starts = torch.randint(0, len(text) - ctx - 1, (64,))
    xb = torch.stack([text[s:s + ctx] for s in starts])
    yb = text[starts + ctx]
    loss = loss_fn(lm(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print('loss', loss.item())
