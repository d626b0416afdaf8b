import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class Masks(Dataset):
    def __init__(self):
        rng = np.random.default_rng(0)
        self.images = rng.random((4, 1, 8, 8), dtype=np.float32)
        self.masks = (rng.random((4, 8, 8)) > 0.5).astype(np.uint8) * 255

    def __len__(self):
        return 4

    def __getitem__(self, i):
        target = torch.from_numpy(self.masks[i]).long()
        return torch.from_numpy(self.images[i]), target


net = nn.Conv2d(1, 2, 3, padding=1)
for image, target in DataLoader(Masks(), batch_size=2):
    pred = net(image)
    dice = (F.softmax(pred, 1) * F.one_hot(target, 2).permute(0, 3, 1, 2)).mean()
    loss = F.cross_entropy(pred, target) - dice
    loss.backward()
print('loss', loss.item())
