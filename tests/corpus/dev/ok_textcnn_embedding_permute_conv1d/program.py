import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class TextCNN(nn.Module):
    def __init__(self, vocab=3000, emb=50, n_filters=32, filter_sizes=(3, 4, 5), n_classes=4, pad_idx=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=pad_idx)
        self.convs = nn.ModuleList([nn.Conv1d(emb, n_filters, fs) for fs in filter_sizes])
        self.fc = nn.Linear(len(filter_sizes) * n_filters, n_classes)
        self.dropout = nn.Dropout(0.5)

    def forward(self, text):                                  # [B, T]
        embedded = self.embedding(text).permute(0, 2, 1)      # [B, emb, T]
        conved = [F.relu(conv(embedded)) for conv in self.convs]
        pooled = [c.max(dim=2).values for c in conved]       # max over time: [B, n_filters]
        return self.fc(self.dropout(torch.cat(pooled, dim=1)))


model = TextCNN()
optimizer = torch.optim.Adam(model.parameters())
text = torch.randint(1, 3000, (64, 45))
labels = torch.randint(0, 4, (64,))
for epoch in range(3):
    for i in range(0, 64, 16):
        loss = F.cross_entropy(model(text[i:i + 16]), labels[i:i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print('loss', loss.item())
