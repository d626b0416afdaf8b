import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

parser = argparse.ArgumentParser()
parser.add_argument('-max_strlen', type=int, default=250)   # raised from 80 to keep long sentences
parser.add_argument('-d_model', type=int, default=32)
parser.add_argument('-heads', type=int, default=4)
parser.add_argument('-batchsize', type=int, default=4)
opt = parser.parse_args([])


class PositionalEncoder(nn.Module):
    def __init__(self, d_model, max_seq_len=200, dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.dropout = nn.Dropout(dropout)
        pe = torch.zeros(max_seq_len, d_model)
        pos = torch.arange(max_seq_len).unsqueeze(1).float()
        div = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
        self.register_buffer('pe', pe.unsqueeze(0))

    def forward(self, x):
        x = x * math.sqrt(self.d_model)
        seq_len = x.size(1)
        pe = self.pe[:, :seq_len]
        x = x + pe
        return self.dropout(x)


class Transformer(nn.Module):
    def __init__(self, src_vocab, trg_vocab, d_model, heads):
        super().__init__()
        self.src_embed, self.trg_embed = nn.Embedding(src_vocab, d_model), nn.Embedding(trg_vocab, d_model)
        self.src_pe, self.trg_pe = PositionalEncoder(d_model), PositionalEncoder(d_model)
        self.encoder = nn.TransformerEncoderLayer(d_model, heads, 64, batch_first=True)
        self.decoder = nn.TransformerDecoderLayer(d_model, heads, 64, batch_first=True)
        self.out = nn.Linear(d_model, trg_vocab)

    def forward(self, src, trg):
        e_outputs = self.encoder(self.src_pe(self.src_embed(src)))
        mask = torch.triu(torch.full((trg.size(1), trg.size(1)), float('-inf')), 1)
        d_output = self.decoder(self.trg_pe(self.trg_embed(trg)), e_outputs, tgt_mask=mask)
        return self.out(d_output)


def make_pairs(n, g):
    """Tokenised sentence pairs; targets run a little longer than their sources."""
    pairs = []
    for _ in range(n):
        ls = int(torch.randint(20, 210, (1,), generator=g))
        lt = min(ls + int(torch.randint(0, 40, (1,), generator=g)), 240)
        pairs.append((torch.randint(3, 500, (ls,), generator=g), torch.randint(3, 600, (lt,), generator=g)))
    return [(s, t) for s, t in pairs if len(s) <= opt.max_strlen and len(t) <= opt.max_strlen]


def batches(pairs, bs):
    for i in range(0, len(pairs), bs):
        chunk = pairs[i:i + bs]
        pad = lambda seqs: torch.stack([F.pad(x, (0, max(map(len, seqs)) - len(x)), value=1) for x in seqs])
        yield pad([s for s, _ in chunk]), pad([t for _, t in chunk])


pairs = make_pairs(16, torch.Generator().manual_seed(0))
model = Transformer(500, 600, opt.d_model, opt.heads)
optim = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98))
for src, trg in batches(pairs, opt.batchsize):
    trg_input, ys = trg[:, :-1], trg[:, 1:].reshape(-1)
    preds = model(src, trg_input)
    loss = F.cross_entropy(preds.reshape(-1, preds.size(-1)), ys, ignore_index=1)
    optim.zero_grad()
    loss.backward()
    optim.step()
    print('loss', round(loss.item(), 3))
