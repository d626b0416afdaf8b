import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

NUM_CLASS = 6


class Model(nn.Module):
    def __init__(self, num_class=60, num_point=25, num_person=2, in_channels=3, graph_nodes=25):
        super().__init__()
        self.data_bn = nn.BatchNorm1d(num_person * in_channels * num_point)
        self.A = nn.Parameter(torch.eye(graph_nodes), requires_grad=False)
        self.gcn = nn.Conv2d(in_channels, 32, 1)
        self.tcn = nn.Conv2d(32, 32, (9, 1), padding=(4, 0))
        self.fc = nn.Linear(32, num_class)

    def forward(self, x):
        N, C, T, V, M = x.size()
        x = x.permute(0, 4, 3, 1, 2).contiguous().view(N, M * V * C, T)
        x = self.data_bn(x)
        x = x.view(N, M, V, C, T).permute(0, 1, 3, 4, 2).contiguous().view(N * M, C, T, V)
        x = F.relu(self.gcn(torch.einsum('nctv,vw->nctw', x, self.A)))
        x = F.relu(self.tcn(x))
        x = x.view(N, M, 32, -1).mean(3).mean(1)
        return self.fc(x)


# Kinetics-skeleton: [N, C=3, T, V=18 joints, M=1 person]
data = torch.randn(24, 3, 30, 18, 1)
label = torch.randint(0, NUM_CLASS, (24,))
loader = DataLoader(TensorDataset(data, label), batch_size=8, shuffle=True)
model = Model(num_class=NUM_CLASS, num_point=18, graph_nodes=18, num_person=1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
for epoch in range(2):
    for x, y in loader:
        output = model(x)
        loss = F.cross_entropy(output, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
