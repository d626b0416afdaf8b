# node features flattened to one row per node ([B*N, 1]); the layer is built for B*N inputs
import torch
import torch.nn as nn

N_NODES, BATCH = 9, 4
torch.manual_seed(12)


class NodeLayer(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.lin = nn.Linear(in_dim, out_dim)

    def forward(self, x):
        return torch.relu(self.lin(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = NodeLayer(N_NODES * BATCH, 16)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(self.layer(x))


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
for step in range(2):
    signal = torch.randn(BATCH, N_NODES)
    x = signal.reshape(-1, 1)
    loss = nn.functional.mse_loss(net(x), torch.roll(signal, 1, 1).reshape(-1, 1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
