import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(16)

INTENTS = ["greet", "book", "cancel", "refund", "bye"]
VOCAB, SEQ = 120, 10


def encode_labels(names, vocab):
    return torch.tensor([vocab.index(n) for n in names])


class BagOfWords(nn.Module):
    def __init__(self, vocab, n_out, dim=28):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.out = nn.Linear(dim, n_out)

    def forward(self, ids):
        return self.out(self.bag(ids))


utterances = torch.randint(0, VOCAB, (42, SEQ))
names = [INTENTS[i % len(INTENTS)] for i in range(42)]
targets = encode_labels(names, INTENTS)
model = BagOfWords(VOCAB, len(INTENTS))
criterion = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(2):
    for s in range(0, 42, 6):
        logits = model(utterances[s:s + 6])
        loss = criterion(logits, targets[s:s + 6].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
