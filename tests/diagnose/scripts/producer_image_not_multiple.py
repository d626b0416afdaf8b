import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class Crops(Dataset):
    def __init__(self):
        self.images = torch.rand(4, 1, 18, 18)

    def __len__(self):
        return 4

    def __getitem__(self, i):
        image = self.images[i]
        return image


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(1, 4, 3, 2, 1), nn.ReLU(), nn.Conv2d(4, 4, 3, 2, 1))
        self.up = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(4, 4, 3, padding=1),
                                nn.Upsample(scale_factor=2), nn.Conv2d(4, 1, 3, padding=1))

    def forward(self, x):
        return self.up(self.down(x))


model = AutoEncoder()
for batch in DataLoader(Crops(), batch_size=2):
    loss = (model(batch) - batch).abs().mean()
    loss.backward()
print('loss', loss.item())
