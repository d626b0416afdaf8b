import torch
import torch.nn as nn

torch.manual_seed(0)

VOCAB, NTAGS, T = 200, 6, 15


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 32)
        self.lstm = nn.LSTM(32, 48)
        self.proj = nn.Linear(48, NTAGS)

    def forward(self, words):                      # words: [T, B]
        out, _ = self.lstm(self.emb(words))
        return self.proj(out)                      # [T, B, tags]


corpus = torch.randint(0, VOCAB, (120, T))
gold = corpus % NTAGS
model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
bs = 20
for epoch in range(2):
    for b in range(0, 120, bs):
        words, tags = corpus[b:b + bs], gold[b:b + bs]
        scores = model(words)
        loss = nn.functional.cross_entropy(scores.reshape(-1, NTAGS), tags.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
