import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)

# rows of the user's CSV: text, value (sentiment -1 = negative, 0 = neutral, 1 = positive)
WORDS = 'good bad fine awful great poor okay nice terrible decent'.split()
g = torch.Generator().manual_seed(0)
ROWS = []
for i in range(140):
    n = int(torch.randint(4, 12, (1,), generator=g))
    text = ' '.join(WORDS[int(j)] for j in torch.randint(0, len(WORDS), (n,), generator=g))
    ROWS.append({'text': text, 'value': int(torch.randint(-1, 2, (1,), generator=g))})

VOCAB = {w: i + 1 for i, w in enumerate(WORDS)}
MAX_LEN = 12


class CSVDataset(Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        row = self.rows[i]
        ids = [VOCAB[w] for w in row['text'].split()][:MAX_LEN]
        ids = ids + [0] * (MAX_LEN - len(ids))
        return torch.tensor(ids), torch.tensor(row['value'] + 1)


class TextClassifier(nn.Module):
    def __init__(self, vocab_size, num_labels, dim=32):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(dim, 4, 64, batch_first=True), 1)
        self.classifier = nn.Linear(dim, num_labels)

    def forward(self, ids):
        h = self.encoder(self.emb(ids), src_key_padding_mask=ids.eq(0))
        return self.classifier(h[:, 0])


def train(model, dataset, epochs=1, batch_size=16):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        for ids, labels in loader:
            loss = loss_fn(model(ids), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        print('epoch', epoch, 'loss', loss.item())


model = TextClassifier(len(VOCAB) + 1, num_labels=3)
train(model, CSVDataset(ROWS))
