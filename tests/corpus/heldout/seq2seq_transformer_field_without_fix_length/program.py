import random

import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(0)
torch.manual_seed(0)

MAX_LEN = 100
PAD_IDX = 1


class Field:
    """torchtext-like field: numericalise and pad a batch; fix_length pads or truncates to one length."""

    def __init__(self, fix_length=None):
        self.fix_length = fix_length

    def process(self, batch):
        n = self.fix_length or max(len(s) for s in batch)
        return torch.tensor([(s + [PAD_IDX] * n)[:n] for s in batch])


class Encoder(nn.Module):
    def __init__(self, input_dim, hid_dim, n_layers, n_heads, pf_dim, max_length=MAX_LEN):
        super().__init__()
        self.tok_embedding = nn.Embedding(input_dim, hid_dim)
        self.pos_embedding = nn.Embedding(max_length, hid_dim)
        layer = nn.TransformerEncoderLayer(hid_dim, n_heads, pf_dim, batch_first=True)
        self.layers = nn.TransformerEncoder(layer, n_layers)
        self.scale = hid_dim ** 0.5

    def forward(self, src, src_mask):
        pos = torch.arange(0, src.shape[1]).unsqueeze(0).repeat(src.shape[0], 1)
        src = (self.tok_embedding(src) * self.scale) + self.pos_embedding(pos)
        return self.layers(src, src_key_padding_mask=src_mask)


class Classifier(nn.Module):
    """Sentence-level generation model reduced to its encoder and a label head."""

    def __init__(self, vocab, n_labels):
        super().__init__()
        self.encoder = Encoder(vocab, 64, 2, 4, 128)
        self.head = nn.Linear(64, n_labels)

    def forward(self, src):
        src_mask = src.eq(PAD_IDX)
        enc_src = self.encoder(src, src_mask)
        return self.head(enc_src[:, 0])


# tokenised reviews, most under 100 tokens, a few far longer
sentences = [[random.randrange(2, 3000) for _ in range(random.choice([20, 40, 60, 80, 130]))] for _ in range(40)]
labels = torch.randint(0, 3, (40,))
SRC = Field()
model = Classifier(3000, 3)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
for i in range(0, 40, 8):
    src = SRC.process(sentences[i:i + 8])
    loss = F.cross_entropy(model(src), labels[i:i + 8])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('batch', i // 8, 'src', tuple(src.shape), 'loss', round(loss.item(), 3))
