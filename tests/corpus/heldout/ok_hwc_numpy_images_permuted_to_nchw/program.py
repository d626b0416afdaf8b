import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
rng = np.random.default_rng(0)


class NumpyImageDataset(Dataset):
    """Images decoded as uint8 H x W x C arrays (PIL/OpenCV layout), permuted to C x H x W."""
    def __init__(self, n=80, h=48, w=40):
        self.images = rng.integers(0, 256, size=(n, h, w, 3), dtype=np.uint8)
        self.labels = rng.integers(0, 4, size=n)
        self.mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
        self.std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = torch.from_numpy(self.images[i]).permute(2, 0, 1).float() / 255.0   # [3, H, W]
        return (img - self.mean) / self.std, int(self.labels[i])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


ds = NumpyImageDataset()
loader = DataLoader(ds, batch_size=16, shuffle=True)
model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(2):
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
x0, _ = ds[0]
# channel 0 of the tensor is the red plane of the array, pixel for pixel
red = (torch.from_numpy(ds.images[0][:, :, 0]).float() / 255.0 - 0.485) / 0.229
print('layout ok:', tuple(x0.shape), torch.allclose(x0[0], red))
