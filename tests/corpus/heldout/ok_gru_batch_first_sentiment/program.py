import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class GRUClassifier(nn.Module):
    def __init__(self, vocab=2000, emb=32, hidden=64, n_layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=0)
        self.rnn = nn.GRU(emb, hidden, num_layers=n_layers, batch_first=True, dropout=0.2)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, text):                                  # [B, T]
        _, hidden = self.rnn(self.embedding(text))            # hidden: [n_layers, B, hidden]
        return self.fc(hidden[-1])                            # [B, 1]


reviews = torch.randint(1, 2000, (200, 40))
sentiment = torch.randint(0, 2, (200, 1)).float()
loader = DataLoader(TensorDataset(reviews, sentiment), batch_size=32, shuffle=True)
model = GRUClassifier()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for text, label in loader:
        loss = criterion(model(text), label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
