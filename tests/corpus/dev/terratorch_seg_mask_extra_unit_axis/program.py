import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class GeoBenchSegmentation(Dataset):
    """Samples as the GeoBench conversion wrote them: image [C, H, W], mask [1, H, W]."""

    def __init__(self, n=24, bands=6, size=64, num_classes=4):
        g = torch.Generator().manual_seed(0)
        self.images = torch.randn(n, bands, size, size, generator=g)
        self.masks = torch.randint(0, num_classes, (n, 1, size, size), generator=g)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return {'image': self.images[i], 'mask': self.masks[i]}


class SemanticSegmentationTask(nn.Module):
    def __init__(self, in_channels, num_classes, ignore_index=-1):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(),
                                   nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, num_classes, 1))
        self.criterion = nn.CrossEntropyLoss(ignore_index=ignore_index)

    def training_step(self, batch):
        x, y = batch['image'], batch['mask']
        y_hat = self.model(x)
        loss = self.criterion(y_hat, y)
        return loss

    @torch.no_grad()
    def validation_step(self, batch):
        pred = self.model(batch['image']).argmax(1)
        return (pred == batch['mask'].view_as(pred)).float().mean().item()


task = SemanticSegmentationTask(in_channels=6, num_classes=4)
opt = torch.optim.AdamW(task.parameters(), lr=1e-3)
loader = DataLoader(GeoBenchSegmentation(), batch_size=8, shuffle=True)
for epoch in range(2):
    for batch in loader:
        loss = task.training_step(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'acc', round(task.validation_step(batch), 3))
