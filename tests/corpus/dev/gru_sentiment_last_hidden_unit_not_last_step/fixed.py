import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

MAX_SEQ_LEN = 128
VOCAB_SIZE = 500


class Sequences(Dataset):
    """Token ids left-padded to max_seq_len; label 1 if the review contains 'good' tokens (ids < 50)."""
    def __init__(self, n=256, max_seq_len=MAX_SEQ_LEN):
        self.rows = []
        for _ in range(n):
            length = int(torch.randint(20, max_seq_len, (1,)))
            label = int(torch.randint(0, 2, (1,)))
            lo, hi = (1, 50) if label else (50, VOCAB_SIZE)
            toks = torch.randint(lo, hi, (length,)).tolist()
            self.rows.append(([0] * (max_seq_len - length) + toks, label))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


def collate(batch):
    inputs = torch.LongTensor([item[0] for item in batch])
    target = torch.FloatTensor([item[1] for item in batch])
    return inputs, target


class RNN(nn.Module):
    def __init__(self, vocab_size, batch_size, embedding_dimension=100, hidden_size=128, n_layers=1):
        super(RNN, self).__init__()
        self.n_layers = n_layers
        self.hidden_size = hidden_size
        self.batch_size = batch_size
        self.encoder = nn.Embedding(vocab_size, embedding_dimension)
        self.rnn = nn.GRU(embedding_dimension, hidden_size, num_layers=n_layers, batch_first=True)
        self.decoder = nn.Linear(hidden_size, 1)

    def init_hidden(self):
        return torch.zeros(self.n_layers, self.batch_size, self.hidden_size)

    def forward(self, inputs):
        # Avoid breaking if the last batch has a different size
        batch_size = inputs.size(0)
        if batch_size != self.batch_size:
            self.batch_size = batch_size
        encoded = self.encoder(inputs)
        output, hidden = self.rnn(encoded, self.init_hidden())
        output = self.decoder(output[:, -1, :]).squeeze()
        return output


dataset = Sequences()
train_loader = DataLoader(dataset, batch_size=64, shuffle=True, collate_fn=collate)
model = RNN(hidden_size=128, vocab_size=VOCAB_SIZE, batch_size=64)
criterion = nn.BCEWithLogitsLoss()
optimizer = optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.003)

for epoch in range(4):
    model.train()
    losses, correct, total = [], 0, 0
    for inputs, target in train_loader:
        model.zero_grad()
        output = model(inputs)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        correct += ((output > 0).float() == target).sum().item()
        total += target.size(0)
    print('epoch %d loss %.4f acc %.3f' % (epoch, sum(losses) / len(losses), correct / total))
