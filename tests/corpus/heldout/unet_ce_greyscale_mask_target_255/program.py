import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
np.random.seed(0)

MASK_VALUES = [0, 128, 255]


class SegDataset(Dataset):
    def __init__(self, n=8, size=32):
        self.images = np.random.rand(n, 1, size, size).astype(np.float32)
        self.masks = np.random.choice(MASK_VALUES, size=(n, size, size)).astype(np.uint8)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = torch.from_numpy(self.images[i])
        mask = torch.from_numpy(self.masks[i]).long()
        return img, mask


class UNetLite(nn.Module):
    def __init__(self, n_channels, n_classes):
        super().__init__()
        self.n_classes = n_classes
        self.down = nn.Sequential(nn.Conv2d(n_channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.up = nn.Sequential(nn.ConvTranspose2d(16, 16, 2, stride=2), nn.ReLU())
        self.outc = nn.Conv2d(16, n_classes, 1)

    def forward(self, x):
        return self.outc(self.up(self.down(x)))


net = UNetLite(n_channels=1, n_classes=3)
criterion = nn.CrossEntropyLoss() if net.n_classes > 1 else nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
loader = DataLoader(SegDataset(), batch_size=4, shuffle=True)
for epoch in range(2):
    for imgs, true_masks in loader:
        masks_pred = net(imgs)
        loss = criterion(masks_pred, true_masks)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
