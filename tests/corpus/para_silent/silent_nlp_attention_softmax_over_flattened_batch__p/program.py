import torch
import torch.nn as nn

torch.manual_seed(0)


class AttnPoolClassifier(nn.Module):
    def __init__(self, vocab=300, dim=24, n_cls=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.gru = nn.GRU(dim, dim, batch_first=True)
        self.score = nn.Linear(dim, 1)
        self.cls = nn.Linear(dim, n_cls)

    def forward(self, tokens):
        states, _ = self.gru(self.emb(tokens))
        scores = self.score(states).squeeze(-1)
        alpha = torch.softmax(scores, dim=0)
        pooled = (alpha.unsqueeze(-1) * states).sum(1)
        return self.cls(pooled)


sents = torch.randint(0, 300, (64, 18))
labels = torch.randint(0, 3, (64,))
model = AttnPoolClassifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(4):
    for i in range(0, 64, 16):
        loss = nn.functional.cross_entropy(model(sents[i:i + 16]), labels[i:i + 16])
        opt.zero_grad()
        loss.backward()
        opt.step()
print(loss.item())
