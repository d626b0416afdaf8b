"""Labels stored as a column [N, 1] are squeezed in the loop before the model runs. 33 samples in
batches of 8 leave a last batch of one, where squeeze() drops the batch axis too: the loss gets
a 0-d target at the first epoch's end."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(33, 6)
labels = torch.randint(0, 3, (33, 1))
model = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(2):
    for xb, yb in DataLoader(TensorDataset(features, labels), batch_size=8):
        target = yb.squeeze()
        loss = nn.functional.cross_entropy(model(xb), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
print("loss", loss.item())
