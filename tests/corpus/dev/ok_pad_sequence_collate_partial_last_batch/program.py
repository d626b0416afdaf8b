import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class ReviewDataset(Dataset):
    def __init__(self, n=103):
        lengths = torch.randint(3, 40, (n,)).tolist()
        self.samples = [(torch.randint(1, 5000, (L,)), int(L > 20)) for L in lengths]

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        return self.samples[idx]


def collate_batch(batch):
    sequences, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in sequences])
    padded = pad_sequence(sequences, batch_first=True, padding_value=0)
    return padded, lengths, torch.tensor(labels, dtype=torch.float)


class LSTMClassifier(nn.Module):
    def __init__(self, vocab=5000, emb=32, hidden=48):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, padded, lengths):
        packed = pack_padded_sequence(self.emb(padded), lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.fc(h_n[-1]).squeeze(-1)                   # [B]


loader = DataLoader(ReviewDataset(), batch_size=16, shuffle=True, collate_fn=collate_batch)
model = LSTMClassifier()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for padded, lengths, labels in loader:
        loss = criterion(model(padded, lengths), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'last batch', tuple(padded.shape), 'loss', round(loss.item(), 4))
