import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

NUM_FIELDS = 3
EMB = 4

Xi_train = torch.stack([torch.randint(0, 10, (64,)), torch.randint(0, 7, (64,)), torch.randint(0, 5, (64,))], dim=1)
Xi_val = torch.stack([torch.randint(0, 12, (32,)), torch.randint(0, 7, (32,)), torch.randint(0, 5, (32,))], dim=1)
Xv_train, Xv_val = torch.ones(64, NUM_FIELDS), torch.ones(32, NUM_FIELDS)
y_train, y_val = torch.randint(0, 2, (64,)).float(), torch.randint(0, 2, (32,)).float()
feature_sizes = [int(max(Xi_train[:, i].max(), Xi_val[:, i].max())) + 1 for i in range(NUM_FIELDS)]


class DeepFM(nn.Module):
    def __init__(self, feature_sizes, embedding_size=EMB, hidden_dims=(16, 16)):
        super().__init__()
        self.fm_first_order_embeddings = nn.ModuleList(nn.Embedding(s, 1) for s in feature_sizes)
        self.fm_second_order_embeddings = nn.ModuleList(nn.Embedding(s, embedding_size) for s in feature_sizes)
        dims = [len(feature_sizes) * embedding_size] + list(hidden_dims)
        self.deep = nn.Sequential(*[m for a, b in zip(dims[:-1], dims[1:]) for m in (nn.Linear(a, b), nn.ReLU())])
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, Xi, Xv):
        first = [emb(Xi[:, i]).squeeze(1) * Xv[:, i] for i, emb in enumerate(self.fm_first_order_embeddings)]
        second = [emb(Xi[:, i]) * Xv[:, i:i + 1] for i, emb in enumerate(self.fm_second_order_embeddings)]
        s = sum(second)
        fm_second = 0.5 * (s * s - sum(e * e for e in second)).sum(1)
        deep = self.deep(torch.cat(second, 1)).sum(1)
        return sum(first) + fm_second + deep + self.bias


def check_accuracy(model, loader):
    correct = 0
    with torch.no_grad():
        for xi, xv, y in loader:
            correct += ((torch.sigmoid(model(xi, xv)) > 0.5).float() == y).sum().item()
    return correct / len(loader.dataset)


model = DeepFM(feature_sizes)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loader_train = DataLoader(TensorDataset(Xi_train, Xv_train, y_train), batch_size=16, shuffle=True)
loader_val = DataLoader(TensorDataset(Xi_val, Xv_val, y_val), batch_size=16)
for epoch in range(2):
    for xi, xv, y in loader_train:
        loss = F.binary_cross_entropy_with_logits(model(xi, xv), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'val acc', check_accuracy(model, loader_val))
