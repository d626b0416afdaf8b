"""Variable-length sequences padded per batch by a custom collate; 50 = 3·16 + 2, and the model
is size-agnostic, so the last batch of 2 is fine."""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader

torch.manual_seed(14)

data = [(torch.randn(int(torch.randint(3, 9, ())), 4), int(torch.randint(0, 3, ()))) for _ in range(50)]


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True), lengths, torch.tensor(labels)


class Reader(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(4, 12, batch_first=True)
        self.out = nn.Linear(12, 3)

    def forward(self, x, lengths):
        out, _ = self.rnn(x)
        last = out[torch.arange(x.size(0)), lengths - 1]
        return self.out(last)


model = Reader()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, lengths, y in DataLoader(data, batch_size=16, collate_fn=pad_collate):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x, lengths), y)
    loss.backward()
    opt.step()
print("loss", loss.item())
