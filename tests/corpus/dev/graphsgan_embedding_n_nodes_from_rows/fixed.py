import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

N_NODES, DIM, N_CLASSES = 60, 16, 3


class GraphDataset:
    def __init__(self):
        self.ids = torch.arange(N_NODES)
        self.embeddings = torch.randn(50, DIM)     # LINE wrote vectors for 50 of the 60 nodes
        self.labels = torch.randint(0, N_CLASSES, (N_NODES,))
        self.n = int(self.ids.max()) + 1
        self.d = self.embeddings.shape[1]


class Discriminator(nn.Module):
    def __init__(self, dataset):
        super().__init__()
        self.embedding_layer = nn.Embedding(dataset.n, dataset.d)
        with torch.no_grad():
            self.embedding_layer.weight[:dataset.embeddings.shape[0]] = dataset.embeddings
        self.embedding_layer.weight.requires_grad_(False)
        self.mlp = nn.Sequential(nn.Linear(DIM * 2, 32), nn.ReLU(), nn.Linear(32, N_CLASSES))

    def make_input(self, ids, feature):
        embedding = self.embedding_layer(ids)
        return torch.cat((feature, embedding), dim=1)

    def forward(self, ids, feature):
        return self.mlp(self.make_input(ids, feature))


dataset = GraphDataset()
D = Discriminator(dataset)
opt = torch.optim.Adam(filter(lambda p: p.requires_grad, D.parameters()), lr=1e-3)
feats = torch.randn(N_NODES, DIM)
for it in range(4):
    idx = torch.randperm(N_NODES)[:16]
    logits = D(dataset.ids[idx], feats[idx])
    loss = F.cross_entropy(logits, dataset.labels[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
print('loss', loss.item())
