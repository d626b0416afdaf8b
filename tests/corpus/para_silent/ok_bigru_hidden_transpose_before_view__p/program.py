import torch
import torch.nn as nn

torch.manual_seed(0)


class BiEncoder(nn.Module):
    def __init__(self, vocab=250, emb=20, hid=30, n_cls=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hid, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hid, n_cls)

    def forward(self, x):
        _, (h, _) = self.lstm(self.emb(x))
        both = torch.cat([h[-2], h[-1]], dim=1)
        return self.fc(both)


x, y = torch.randint(0, 250, (40, 12)), torch.randint(0, 4, (40,))
model = BiEncoder()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(0, 40, 10):
    loss = nn.functional.cross_entropy(model(x[i:i + 10]), y[i:i + 10])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
