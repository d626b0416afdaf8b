import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

SORTPOOL_K = 6
LATENT_DIM = [8, 8, 1]
NUM_NODE_FEATS = 5


class GraphConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.lin = nn.Linear(cin, cout)

    def forward(self, adj, h):
        deg = adj.sum(1, keepdim=True) + 1
        return torch.tanh(self.lin((adj @ h + h) / deg))


class DGCNN(nn.Module):
    def __init__(self, k, latent_dim, num_node_feats, num_class=2):
        super().__init__()
        self.k = k
        self.total_latent_dim = sum(latent_dim)
        dims = [num_node_feats] + latent_dim
        self.convs = nn.ModuleList(GraphConv(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.conv1d_params1 = nn.Conv1d(1, 16, self.total_latent_dim, self.total_latent_dim)
        self.maxpool1d = nn.MaxPool1d(2, 2)
        self.conv1d_params2 = nn.Conv1d(16, 32, 5, 1)
        self.out = nn.LazyLinear(num_class)

    def sortpooling(self, h):
        order = h[:, -1].argsort(descending=True)[: self.k]
        kept = h[order]
        if kept.size(0) < self.k:
            kept = torch.cat([kept, h.new_zeros(self.k - kept.size(0), h.size(1))])
        return kept

    def forward(self, graphs):
        pooled = []
        for adj, feats in graphs:
            hs, h = [], feats
            for conv in self.convs:
                h = conv(adj, h)
                hs.append(h)
            pooled.append(self.sortpooling(torch.cat(hs, dim=1)))
        x = torch.stack(pooled).view(len(graphs), 1, self.k * self.total_latent_dim)
        x = F.relu(self.conv1d_params1(x))
        x = self.maxpool1d(x)
        x = F.relu(self.conv1d_params2(x))
        return self.out(x.view(len(graphs), -1))


def random_graph(n):
    a = (torch.rand(n, n) > 0.7).float()
    return ((a + a.T) > 0).float(), torch.randn(n, NUM_NODE_FEATS)


graphs = [random_graph(n) for n in (12, 15, 9, 20, 11, 14)]
labels = torch.randint(0, 2, (len(graphs),))
model = DGCNN(SORTPOOL_K, LATENT_DIM, NUM_NODE_FEATS)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for start in range(0, len(graphs), 3):
        logits = model(graphs[start:start + 3])
        loss = F.cross_entropy(logits, labels[start:start + 3])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
