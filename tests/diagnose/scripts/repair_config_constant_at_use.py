# the token table is one short: ids go up to 40, the config says 40 tokens
import torch
import torch.nn as nn

N_TOKENS = 40
WIDTH = 16
torch.manual_seed(5)


class Tagger(nn.Module):
    def __init__(self, n_tokens, width):
        super().__init__()
        self.table = nn.Embedding(n_tokens, width)
        self.proj = nn.Linear(width, 3)

    def forward(self, ids):
        return self.proj(self.table(ids)).mean(1)


ids = torch.randint(0, 41, (2, 12))
ids[0, 0] = 40
model = Tagger(N_TOKENS, WIDTH)
loss = nn.functional.cross_entropy(model(ids), torch.tensor([0, 2]))
loss.backward()
print("ok")
