import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

# synthetic "COMPAS-like" tabular data: features, binary label, binary sensitive attribute
n, d = 600, 12
xs = rng.normal(size=(n, d)).astype(np.float32)
z = (rng.random(n) > 0.5).astype(np.float32)
w_true = rng.normal(size=d).astype(np.float32)
ys = ((xs @ w_true + 0.8 * z + rng.normal(scale=0.5, size=n)) > 0).astype(np.float32)

x_train, y_train, z_train = map(torch.from_numpy, (xs, ys, z))


class LogisticRegression(nn.Module):
    def __init__(self, input_size, num_classes=1):
        super().__init__()
        self.linear = nn.Linear(input_size, num_classes)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


def group_losses(model, criterion):
    with torch.no_grad():
        out = model(x_train)
        return [criterion(out[z_train == g], y_train[z_train == g].view(-1, 1)).item() for g in (0, 1)]


model = LogisticRegression(d)
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loader = DataLoader(TensorDataset(x_train, y_train, z_train), batch_size=100, shuffle=True)

for epoch in range(5):
    for batch_x, batch_y, batch_z in loader:
        label_predicted = model(batch_x)
        loss = criterion(label_predicted, batch_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'group losses', [round(v, 3) for v in group_losses(model, criterion)])
