import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

SIZES = [(68, 48), (99, 73), (64, 64), (80, 56), (72, 72), (90, 60), (66, 50), (70, 88)]


class CarvanaDataset(Dataset):
    def __init__(self):
        self.images = [torch.rand(3, h, w) for h, w in SIZES]
        self.masks = [(torch.rand(1, h, w) > 0.5).float() for h, w in SIZES]

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], self.masks[i]


net = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Upsample(scale_factor=4, mode='bilinear', align_corners=False),
    nn.Conv2d(16, 1, 1))

train_loader = DataLoader(CarvanaDataset(), batch_size=4, shuffle=True)
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()
for epoch in range(2):
    for images, true_masks in train_loader:
        masks_pred = net(images)
        loss = criterion(masks_pred, true_masks)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
