import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

VOCAB_SIZE, EMBED_DIM, SEQ_LEN, N_CLASS = 1000, 64, 40, 4
KERNEL_SIZES = (3, 4, 5)


class TextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB_SIZE, EMBED_DIM)
        self.convs = nn.ModuleList(nn.Conv1d(EMBED_DIM, 32, k) for k in KERNEL_SIZES)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(32 * len(KERNEL_SIZES), N_CLASS)

    def forward(self, x):
        x = self.embedding(x).permute(0, 2, 1)
        # x = x.permute(0, 2, 1)
        x = [F.relu(conv(x)) for conv in self.convs]
        x = [F.max_pool1d(c, c.size(2)).squeeze(2) for c in x]
        return self.fc(self.dropout(torch.cat(x, 1)))


train_data = TensorDataset(torch.randint(0, VOCAB_SIZE, (64, SEQ_LEN)), torch.randint(0, N_CLASS, (64,)))
train_loader = DataLoader(train_data, batch_size=16, shuffle=True)
model = TextCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    model.train()
    for text, label in train_loader:
        out = model(text)
        loss = F.cross_entropy(out, label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
