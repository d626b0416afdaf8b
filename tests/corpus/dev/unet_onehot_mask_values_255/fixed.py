import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
np.random.seed(0)

N_CLASSES = 2


class BasicDataset(Dataset):
    def __init__(self, n=6, size=32):
        self.images = np.random.rand(n, 3, size, size).astype(np.float32)
        self.masks = (np.random.rand(n, size, size) > 0.5).astype(np.uint8) * 255

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = torch.from_numpy(self.images[i])
        mask = torch.from_numpy(self.masks[i] // 255).long()
        return {'image': image, 'mask': mask}


def dice_loss(probs, target_onehot, eps=1e-6):
    inter = (probs * target_onehot).sum(dim=(2, 3))
    union = probs.sum(dim=(2, 3)) + target_onehot.sum(dim=(2, 3))
    return 1 - ((2 * inter + eps) / (union + eps)).mean()


net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, N_CLASSES, 1))
optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-5, weight_decay=1e-8, momentum=0.9)
criterion = nn.CrossEntropyLoss()
train_loader = DataLoader(BasicDataset(), batch_size=2, shuffle=True)

for batch in train_loader:
    images, true_masks = batch['image'], batch['mask']
    masks_pred = net(images)
    true_onehot = F.one_hot(true_masks, N_CLASSES).permute(0, 3, 1, 2).float()
    loss = criterion(masks_pred, true_masks) + dice_loss(F.softmax(masks_pred, dim=1), true_onehot)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
