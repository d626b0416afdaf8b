import torch
import torch.nn as nn

torch.manual_seed(0)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()                # [T_total, bsz]: one column per stream


def get_batch(source, i, bptt=20):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]                              # [seq_len, bsz]
    target = source[i + 1:i + 1 + seq_len].view(-1)           # flattened time-major
    return data, target


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp=32, nhid=64, nlayers=2):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=0.2)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nlayers, self.nhid = nlayers, nhid

    def forward(self, input, hidden):
        output, hidden = self.rnn(self.encoder(input), hidden)
        return self.decoder(output), hidden                   # [seq_len, bsz, ntoken]

    def init_hidden(self, bsz):
        return (torch.zeros(self.nlayers, bsz, self.nhid), torch.zeros(self.nlayers, bsz, self.nhid))


ntokens = 300
corpus = torch.randint(0, ntokens, (4000,))
train_data = batchify(corpus, 20)                              # [200, 20]
model = RNNModel(ntokens)
criterion = nn.CrossEntropyLoss()
lr = 5.0
hidden = model.init_hidden(20)
for batch, i in enumerate(range(0, train_data.size(0) - 1, 20)):
    data, targets = get_batch(train_data, i)
    hidden = tuple(h.detach() for h in hidden)
    model.zero_grad()
    output, hidden = model(data, hidden)
    loss = criterion(output.view(-1, ntokens), targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
    for p in model.parameters():
        p.data.add_(p.grad, alpha=-lr)
print('batches', batch + 1, 'last seq_len', data.size(0), 'loss', loss.item())
