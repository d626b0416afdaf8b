import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

sparse_features = ["user_id", "item_id", "cate_id", "city"]
dense_features = ["price", "age"]
EMBED_DIM = 8


def make_split(n, id_ranges):
    data = {feat: np.random.randint(0, high, size=n) for feat, high in id_ranges.items()}
    for feat in dense_features:
        data[feat] = np.random.rand(n).astype(np.float32)
    data["label"] = (np.random.rand(n) < 0.3).astype(np.float32)
    return data


# label-encoded logs; the new batch of test data contains ids that never occur in training
train = make_split(2000, {"user_id": 101, "item_id": 300, "cate_id": 20, "city": 10})
test = make_split(500, {"user_id": 106, "item_id": 300, "cate_id": 20, "city": 10})

# vocabulary size of every SparseFeat
vocab = {feat: int(train[feat].max()) + 1 for feat in sparse_features}


class DeepFM(nn.Module):
    def __init__(self, vocab, n_dense, embed_dim, hidden=(64, 32)):
        super(DeepFM, self).__init__()
        self.embeddings = nn.ModuleDict({f: nn.Embedding(v, embed_dim) for f, v in vocab.items()})
        self.linear_emb = nn.ModuleDict({f: nn.Embedding(v, 1) for f, v in vocab.items()})
        self.dense_linear = nn.Linear(n_dense, 1)
        layers, d = [], len(vocab) * embed_dim + n_dense
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, 1))
        self.dnn = nn.Sequential(*layers)

    def forward(self, x_sparse, x_dense):
        embs = [self.embeddings[f](x_sparse[:, i]) for i, f in enumerate(self.embeddings)]
        emb = torch.stack(embs, dim=1)                          # [B, fields, k]
        linear = sum(self.linear_emb[f](x_sparse[:, i]) for i, f in enumerate(self.linear_emb))
        linear = linear + self.dense_linear(x_dense)
        square_of_sum = emb.sum(dim=1) ** 2
        sum_of_square = (emb ** 2).sum(dim=1)
        fm = 0.5 * (square_of_sum - sum_of_square).sum(dim=1, keepdim=True)
        deep = self.dnn(torch.cat([emb.flatten(1), x_dense], dim=1))
        return torch.sigmoid(linear + fm + deep).squeeze(1)


def to_loader(data, shuffle):
    xs = torch.from_numpy(np.stack([data[f] for f in sparse_features], axis=1)).long()
    xd = torch.from_numpy(np.stack([data[f] for f in dense_features], axis=1))
    y = torch.from_numpy(data["label"])
    return DataLoader(TensorDataset(xs, xd, y), batch_size=256, shuffle=shuffle)


model = DeepFM(vocab, len(dense_features), EMBED_DIM)
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.05)
loss_func = nn.BCELoss()

for epoch in range(3):
    total = 0.0
    for xs, xd, y in to_loader(train, shuffle=True):
        pred = model(xs, xd)
        loss = loss_func(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
    print("epoch", epoch, "logloss %.4f" % (total / len(train["label"])))

model.eval()
preds = []
with torch.no_grad():
    for xs, xd, y in to_loader(test, shuffle=False):
        preds.append(model(xs, xd))
preds = torch.cat(preds)
print("test logloss %.4f" % loss_func(preds, torch.from_numpy(test["label"])).item())
