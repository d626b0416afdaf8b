import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(12)

VOCAB, EMB, HID, MAXLEN = 250, 20, 30, 15


class ReviewGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMB)
        self.gru = nn.GRU(EMB, HID, batch_first=True)
        self.fc = nn.Linear(HID, 1)

    def encode(self, tokens):
        _, h_n = self.gru(self.embedding(tokens))     # h_n: [1, B, HID]
        feat = h_n[-1]
        return feat

    def forward(self, tokens):
        return self.fc(self.encode(tokens))


reviews = torch.randint(0, VOCAB, (33, MAXLEN))
stars = (torch.rand(33) > 0.5).float()
loader = DataLoader(TensorDataset(reviews, stars), batch_size=8)
model = ReviewGRU()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
loss_fn = nn.BCEWithLogitsLoss()
for epoch in range(2):
    running = 0.0
    for tokens, target in loader:
        logit = model(tokens).squeeze(1)
        loss = loss_fn(logit, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item()
    print("epoch", epoch, running / len(loader))
