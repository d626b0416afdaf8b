import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class ReviewNet(nn.Module):
    def __init__(self, vocab=800):
        super().__init__()
        self.emb = nn.Embedding(vocab, 64)
        self.gru = nn.GRU(64, 64, batch_first=True)
        self.fc = nn.Linear(64, 2)

    def forward(self, ids):
        states, _ = self.gru(self.emb(ids))
        return self.fc(states.max(dim=1)[0])


reviews, stars = torch.randint(1, 800, (96, 22)), torch.randint(0, 2, (96,))
model = ReviewNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for ids, y in DataLoader(TensorDataset(reviews, stars), batch_size=16, shuffle=True):
        loss = nn.functional.cross_entropy(model(ids), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
