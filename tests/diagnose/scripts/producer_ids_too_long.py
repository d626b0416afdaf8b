import torch
import torch.nn as nn

TABLE = 64


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(10, 8)
        self.pos = nn.Embedding(TABLE, 8)

    def forward(self, ids):
        where = torch.arange(ids.size(1)).unsqueeze(0)
        return self.tok(ids) + self.pos(where)


enc = Encoder()
tokens = torch.randint(0, 10, (1, 100))
print(enc(tokens).shape)
