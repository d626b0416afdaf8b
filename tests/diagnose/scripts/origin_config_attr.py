"""The encoder is built from a config class; the token table is 16 wide."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class Settings:
    token_dim = 32
    hidden = 8
    n_tags = 3


class Tagger(nn.Module):
    def __init__(self, settings):
        super().__init__()
        self.tokens = nn.Embedding(50, 16)
        self.rnn = nn.GRU(settings.token_dim, settings.hidden, batch_first=True)
        self.out = nn.Linear(settings.hidden, settings.n_tags)

    def forward(self, ids):
        h, _ = self.rnn(self.tokens(ids))
        return self.out(h)


settings = Settings()
ids = torch.randint(0, 50, (4, 7))
tags = torch.randint(0, settings.n_tags, (4, 7))
model = Tagger(settings)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(2):
    loss = nn.functional.cross_entropy(model(ids).reshape(-1, settings.n_tags), tags.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
