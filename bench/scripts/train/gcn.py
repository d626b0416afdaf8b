"""pytorch/examples gcn: two graph convolutions with a normalised dense adjacency, NLL, Adam."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(42)
N, F_IN, HID, C = 500, 100, 16, 7
features = torch.rand(N, F_IN)
adj = (torch.rand(N, N) < 0.01).float()
adj = adj + adj.t() + torch.eye(N)
deg = adj.sum(1)
adj = adj / deg.sqrt().unsqueeze(1) / deg.sqrt().unsqueeze(0)
labels = torch.randint(0, C, (N,))
idx_train = torch.arange(140)


class GraphConv(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(i, o))
        self.bias = nn.Parameter(torch.zeros(o))
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x, a):
        return a @ (x @ self.weight) + self.bias


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.gc1 = GraphConv(F_IN, HID)
        self.gc2 = GraphConv(HID, C)

    def forward(self, x, a):
        x = F.dropout(F.relu(self.gc1(x, a)), 0.5, self.training)
        return F.log_softmax(self.gc2(x, a), dim=1)


model = GCN()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
for epoch in range(100):
    model.train()
    optimizer.zero_grad()
    out = model(features, adj)
    loss = F.nll_loss(out[idx_train], labels[idx_train])
    loss.backward()
    optimizer.step()
print("loss", loss.item())
