import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

VOCAB, SEQ_LEN, EMB = 2000, 20, 32


class Discriminator(nn.Module):
    """Scores a lyric line as real or generated. The encoder used to be a time-major RNN;
    it was replaced by one fully connected layer over the whole (flattened) line."""
    def __init__(self, vocab=VOCAB, emb=EMB, seq_len=SEQ_LEN, hidden=128):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.fc = nn.Linear(seq_len * emb, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, tokens):                         # [batch, seq_len]
        batch_size = tokens.size(0)
        x = self.embedding(tokens)                     # [batch, seq_len, emb]
        inputs = x.transpose(0, 1)                     # [seq_len, batch, emb] for the old time-major RNN
        flat = x.reshape(batch_size, -1)               # [batch, seq_len * emb]
        h = F.relu(self.fc(flat))
        return self.out(h).squeeze(1)


real_lines = torch.randint(0, VOCAB // 2, (256, SEQ_LEN))       # "real" lyrics use the first half of the vocabulary
fake_lines = torch.randint(VOCAB // 2, VOCAB, (256, SEQ_LEN))
lines = torch.cat([real_lines, fake_lines])
is_real = torch.cat([torch.ones(256), torch.zeros(256)])
disc = Discriminator()
optimizer = torch.optim.Adam(disc.parameters(), lr=1e-3)
for epoch in range(3):
    perm = torch.randperm(len(lines))
    for i in range(0, len(lines), 64):
        idx = perm[i:i + 64]
        loss = F.binary_cross_entropy_with_logits(disc(lines[idx]), is_real[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = ((disc(lines[perm[:64]]) > 0).float() == is_real[perm[:64]]).float().mean().item()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'acc', round(acc, 3))
