import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

N_CLASSES, VOCAB = 3, 400

train_labels = np.random.choice(N_CLASSES, size=90, p=[0.6, 0.3, 0.1])
counts = np.bincount(train_labels, minlength=N_CLASSES)
train_label_weight = 1.0 / counts * len(train_labels) / N_CLASSES
label_weight = torch.tensor(train_label_weight, dtype=torch.float32)


class BagClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.EmbeddingBag(VOCAB, 32)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(32, N_CLASSES)

    def forward(self, tokens):
        return self.out(self.drop(self.emb(tokens)))


tokens = torch.randint(0, VOCAB, (90, 25))
loader = DataLoader(TensorDataset(tokens, torch.from_numpy(train_labels)), batch_size=16, shuffle=True)
model = BagClassifier()
loss_func = nn.CrossEntropyLoss(weight=label_weight, reduction='mean')
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for x, y in loader:
        loss = loss_func(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
