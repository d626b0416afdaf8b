import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

parser = argparse.ArgumentParser(description='train.py: trajectory representation learning')
parser.add_argument('-vocab_size', type=int, default=18866, help='Vocabulary Size')
parser.add_argument('-embedding_size', type=int, default=64)
parser.add_argument('-hidden_size', type=int, default=64)
parser.add_argument('-batch', type=int, default=32)
parser.add_argument('-max_num_line', type=int, default=128)
args = parser.parse_args([])


def preprocess_trajectories(n, min_len=8, max_len=20):
    """Map GPS trajectories onto hot cells; the preprocessing reports how many tokens it produced."""
    g = torch.Generator().manual_seed(1)
    vocab_size = 18866                    # what this run of the preprocessing produced
    trips = [torch.randint(4, vocab_size, (int(torch.randint(min_len, max_len, (1,), generator=g)),), generator=g)
             for _ in range(n)]
    trips[3][0] = vocab_size - 1          # the last hot cell does occur in the data
    return trips


class EncoderDecoder(nn.Module):
    def __init__(self, vocab_size, embedding_size, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_size, padding_idx=0)
        self.encoder = nn.GRU(embedding_size, hidden_size, batch_first=True)
        self.decoder = nn.GRU(embedding_size, hidden_size, batch_first=True)
        self.generator = nn.Linear(hidden_size, vocab_size)

    def forward(self, src, trg):
        _, h = self.encoder(self.embedding(src))
        out, _ = self.decoder(self.embedding(trg[:, :-1]), h)
        return self.generator(out)


def pad(batch):
    n = max(len(t) for t in batch)
    return torch.stack([F.pad(t, (0, n - len(t))) for t in batch])


trips = preprocess_trajectories(args.max_num_line)
m0 = EncoderDecoder(args.vocab_size, args.embedding_size, args.hidden_size)
optimizer = torch.optim.Adam(m0.parameters(), lr=1e-3)
for it in range(0, len(trips), args.batch):
    batch = pad(trips[it:it + args.batch])
    src = batch.clone()
    src[:, 1::3] = 0                      # drop points: the model reconstructs the full trip
    logits = m0(src, batch)
    loss = F.cross_entropy(logits.reshape(-1, args.vocab_size), batch[:, 1:].reshape(-1), ignore_index=0)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('iteration', it // args.batch, 'loss', round(loss.item(), 3))
