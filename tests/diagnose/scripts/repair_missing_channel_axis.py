import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

images = torch.rand(40, 28, 28)
labels = torch.randint(0, 10, (40,))
loader = DataLoader(TensorDataset(images, labels), batch_size=8, shuffle=True)

net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
opt = torch.optim.Adam(net.parameters())
for x, y in loader:
    out = net(x)
    loss = nn.functional.cross_entropy(out, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
