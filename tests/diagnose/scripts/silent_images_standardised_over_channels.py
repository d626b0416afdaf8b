"""Images [N, C, H, W] standardised with statistics over dim 1 (the colour channels) instead of per
channel over the pixels."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(9)

images = torch.rand(40, 3, 12, 12) * torch.tensor([1.0, 4.0, 9.0]).view(1, 3, 1, 1)
images = images - images.mean(dim=1, keepdim=True)
labels = torch.randint(0, 2, (40,))
model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                      nn.Linear(8, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for xb, yb in DataLoader(TensorDataset(images, labels), batch_size=10):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
