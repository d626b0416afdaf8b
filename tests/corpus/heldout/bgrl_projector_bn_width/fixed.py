import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

LAYER_CONFIG = [32, 128, 256]
PROJ_HIDDEN = 512
N_NODES = 50


class GCNLayer(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.lin = nn.Linear(cin, cout)

    def forward(self, x, adj):
        return F.relu(self.lin(adj @ x))


class Encoder(nn.Module):
    def __init__(self, layer_config):
        super().__init__()
        self.layers = nn.ModuleList(GCNLayer(a, b) for a, b in zip(layer_config[:-1], layer_config[1:]))

    def forward(self, x, adj):
        for layer in self.layers:
            x = layer(x, adj)
        return x


class BGRL(nn.Module):
    def __init__(self):
        super().__init__()
        self.student_encoder = Encoder(LAYER_CONFIG)
        self.student_predictor = nn.Sequential(
            nn.Linear(LAYER_CONFIG[-1], PROJ_HIDDEN),
            nn.BatchNorm1d(PROJ_HIDDEN),
            nn.PReLU(),
            nn.Linear(PROJ_HIDDEN, LAYER_CONFIG[-1]))

    def forward(self, x1, x2, adj):
        h1 = self.student_encoder(x1, adj)
        p1 = self.student_predictor(h1)
        with torch.no_grad():
            h2 = self.student_encoder(x2, adj)
        return 2 - 2 * F.cosine_similarity(p1, h2.detach(), dim=-1).mean()


x = torch.randn(N_NODES, LAYER_CONFIG[0])
adj = (torch.rand(N_NODES, N_NODES) > 0.8).float()
adj = adj / adj.sum(1, keepdim=True).clamp(min=1)
model = BGRL()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=1e-5)
for epoch in range(3):
    x1 = F.dropout(x, 0.2)
    x2 = F.dropout(x, 0.3)
    loss = model(x1, x2, adj)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('epoch', epoch, loss.item())
