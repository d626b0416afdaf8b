import torch
import torch.nn as nn

torch.manual_seed(0)


class HAN(nn.Module):
    def __init__(self, vocab=500, d=32, n_cls=3):
        super().__init__()
        self.emb = nn.EmbeddingBag(vocab, d)
        self.doc_rnn = nn.GRU(d, d)
        self.fc = nn.Linear(d, n_cls)

    def forward(self, docs):                   # [n_doc, n_sent, words]
        n_doc, n_sent, words = docs.shape
        sent = self.emb(docs.view(n_doc * n_sent, words))
        sent = sent.view(n_doc, n_sent, -1).transpose(0, 1)
        _, h = self.doc_rnn(sent)
        return self.fc(h[-1])


docs, y = torch.randint(0, 500, (24, 5, 9)), torch.randint(0, 3, (24,))
model = HAN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(0, 24, 6):
    loss = nn.functional.cross_entropy(model(docs[i:i + 6]), y[i:i + 6])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
