import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

NUM_NODES, BATCH_SIZE = 293, 4


class GCNConv(nn.Module):
    """Kipf & Welling convolution: D^-1/2 (A + I) D^-1/2 X W, nodes of all graphs stacked on dim 0."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x, edge_index):
        n = x.size(0)
        loops = torch.arange(n).repeat(2, 1)
        row, col = torch.cat([edge_index, loops], 1)
        deg = torch.zeros(n).index_add_(0, row, torch.ones(row.numel()))
        norm = deg[row].rsqrt() * deg[col].rsqrt()
        h = self.lin(x)
        out = torch.zeros_like(h).index_add_(0, row, norm[:, None] * h[col])
        return out + self.bias


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = GCNConv(NUM_NODES * BATCH_SIZE, 256)
        self.conv2 = GCNConv(256, 1)

    def forward(self, x, edge_index):
        x = F.relu(self.conv1(x, edge_index))
        return self.conv2(x, edge_index)


def batch_graphs(signals, edge_index):
    """Same graph (sensor network) for every sample: stack nodes, offset the edges."""
    xs = torch.cat(list(signals), 0).unsqueeze(-1)                 # [B * N, 1]
    eis = torch.cat([edge_index + i * NUM_NODES for i in range(len(signals))], 1)
    return xs, eis


src = torch.randint(0, NUM_NODES, (1200,))
dst = torch.randint(0, NUM_NODES, (1200,))
edge_index = torch.cat([torch.stack([src, dst]), torch.stack([dst, src])], 1)
model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(3):
    signals = torch.randn(BATCH_SIZE, NUM_NODES)                   # one feature per node
    target = torch.roll(signals, 1, dims=1).reshape(-1, 1)
    x, ei = batch_graphs(signals, edge_index)
    loss = F.mse_loss(model(x, ei), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, 'mse', round(loss.item(), 4))
