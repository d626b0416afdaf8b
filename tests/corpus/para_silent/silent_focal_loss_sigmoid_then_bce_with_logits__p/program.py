import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

docs = torch.randint(1, 400, (160, 25))
labels = (torch.rand(160, 7) < 0.3).float()


class BagTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.EmbeddingBag(400, 40, mode='mean')
        self.fc = nn.Linear(40, 7)

    def forward(self, tokens):
        return self.fc(self.emb(tokens))


tagger = BagTagger()
criterion = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(tagger.parameters(), lr=5e-3)
for epoch in range(2):
    for tokens, tags in DataLoader(TensorDataset(docs, labels), batch_size=32, shuffle=True):
        scores = tagger(tokens)
        probs = torch.sigmoid(scores)
        loss = criterion(probs, tags)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
