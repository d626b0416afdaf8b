import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init

torch.manual_seed(0)
np.random.seed(0)

args = {"batch_size": 1024, "emb_size": 64, "lr": 0.01, "lambda_1": 2.0, "epochs": 2}

# synthetic YelpChi-like fraud graph: 32 review features, 3 relations (R-U-R, R-T-R, R-S-R)
num_nodes, feat_dim = 3000, 32
feat_data = np.random.randn(num_nodes, feat_dim).astype(np.float32)
labels = (np.random.rand(num_nodes) < 0.15).astype(np.int64)
adj_lists = []
for r in range(3):
    adj = {}
    for n in range(num_nodes):
        neigh = np.random.choice(num_nodes, size=np.random.randint(1, 6), replace=False)
        adj[n] = set(int(v) for v in neigh) | {n}
    adj_lists.append(adj)

features = nn.Embedding(num_nodes, feat_dim)
features.weight = nn.Parameter(torch.from_numpy(feat_data), requires_grad=False)


class IntraAgg(nn.Module):
    """Mean of the (sampled) neighbours of each batch node under one relation."""
    def __init__(self, features):
        super(IntraAgg, self).__init__()
        self.features = features

    def forward(self, nodes, to_neighs_list):
        unique_nodes_list = list(set.union(*to_neighs_list))
        unique_nodes = {n: i for i, n in enumerate(unique_nodes_list)}
        mask = torch.zeros(len(to_neighs_list), len(unique_nodes))
        column_indices = [unique_nodes[n] for neighs in to_neighs_list for n in neighs]
        row_indices = [i for i in range(len(to_neighs_list)) for _ in range(len(to_neighs_list[i]))]
        mask[row_indices, column_indices] = 1
        mask = mask.div(mask.sum(1, keepdim=True))
        embed_matrix = self.features(torch.LongTensor(unique_nodes_list))
        return F.relu(mask.mm(embed_matrix))


def mean_inter_agg(num_relations, self_feats, neigh_feats, embed_dim, weight, n):
    """Mean inter-relation aggregator."""
    center_h = weight.mm(self_feats.t())
    neigh_h = weight.mm(neigh_feats.t())
    aggregated = torch.zeros(size=(embed_dim, n))
    for r in range(num_relations):
        aggregated += neigh_h[:, r * n:(r + 1) * n]
    combined = F.relu((center_h + aggregated) / 4.0)
    return combined


class InterAgg(nn.Module):
    def __init__(self, features, feature_dim, embed_dim, adj_lists, intraggs):
        super(InterAgg, self).__init__()
        self.features = features
        self.adj_lists = adj_lists
        self.intraggs = nn.ModuleList(intraggs)
        self.embed_dim = embed_dim
        self.weight = nn.Parameter(torch.FloatTensor(embed_dim, feature_dim))
        init.xavier_uniform_(self.weight)
        self.label_clf = nn.Linear(feature_dim, 2)

    def forward(self, nodes):
        to_neighs = [[adj[int(node)] for node in nodes] for adj in self.adj_lists]
        index = torch.LongTensor(nodes)
        self_feats = self.features(index)
        center_scores = self.label_clf(self_feats)
        neigh_feats = torch.cat([agg(nodes, neighs) for agg, neighs in zip(self.intraggs, to_neighs)], dim=0)
        combined = mean_inter_agg(len(self.adj_lists), self_feats, neigh_feats, self.embed_dim, self.weight, len(nodes))
        return combined, center_scores


class OneLayerCARE(nn.Module):
    def __init__(self, num_classes, inter1, lambda_1):
        super(OneLayerCARE, self).__init__()
        self.inter1 = inter1
        self.xent = nn.CrossEntropyLoss()
        self.weight = nn.Parameter(torch.FloatTensor(inter1.embed_dim, num_classes))
        init.xavier_uniform_(self.weight)
        self.lambda_1 = lambda_1

    def forward(self, nodes):
        embeds1, label_scores = self.inter1(nodes)
        scores = torch.mm(embeds1, self.weight)
        return scores, label_scores

    def loss(self, nodes, labels):
        gnn_scores, label_scores = self.forward(nodes)
        label_loss = self.xent(label_scores, labels.squeeze())
        gnn_loss = self.xent(gnn_scores, labels.squeeze())
        return gnn_loss + self.lambda_1 * label_loss


intra_aggs = [IntraAgg(features) for _ in range(3)]
inter1 = InterAgg(features, feat_dim, args["emb_size"], adj_lists, intra_aggs)
gnn_model = OneLayerCARE(2, inter1, args["lambda_1"])
optimizer = torch.optim.Adam(filter(lambda p: p.requires_grad, gnn_model.parameters()), lr=args["lr"])

idx_train = np.arange(num_nodes)
for epoch in range(args["epochs"]):
    np.random.shuffle(idx_train)
    num_batches = int(len(idx_train) / args["batch_size"]) + 1
    for batch in range(num_batches):
        batch_nodes = list(idx_train[batch * args["batch_size"]:(batch + 1) * args["batch_size"]])
        if not batch_nodes:
            continue
        batch_label = torch.LongTensor(labels[np.array(batch_nodes)])
        optimizer.zero_grad()
        loss = gnn_model.loss(batch_nodes, batch_label)
        loss.backward()
        optimizer.step()
    print("epoch", epoch, "loss %.4f" % loss.item())
