import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
np.random.seed(0)

N_CLASSES = 7
IGNORE = 255


class AgricultureDataset(Dataset):
    def __init__(self, n=4, size=32):
        self.images = np.random.rand(n, 4, size, size).astype(np.float32)   # RGB + NIR
        self.labels = np.random.randint(0, N_CLASSES, (n, size, size))
        self.labels[:, :2] = IGNORE

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = torch.from_numpy(self.images[i])
        lbl = torch.from_numpy(self.labels[i]).long()
        return img, lbl


class ACW_loss(nn.Module):
    def __init__(self, ignore_index=IGNORE, eps=1e-5):
        super().__init__()
        self.ignore_index, self.eps = ignore_index, eps

    def encode_one_hot_label(self, pred, target):
        one_hot_label = pred.detach() * 0
        mask = (target == self.ignore_index)
        target = target.clone()
        target[mask] = 0
        one_hot_label.scatter_(1, target.unsqueeze(1), 1)
        mask = mask.unsqueeze(1).expand_as(one_hot_label)
        one_hot_label[mask] = 0
        return one_hot_label, mask

    def forward(self, prediction, target):
        pred = F.softmax(prediction, 1)
        one_hot_label, mask = self.encode_one_hot_label(pred, target)
        acw = 1.0 / (one_hot_label.sum(dim=(0, 2, 3), keepdim=True) + self.eps)
        err = (one_hot_label - pred) ** 2 * acw
        return err[~mask].mean()


net = nn.Sequential(nn.Conv2d(4, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, N_CLASSES, 1))
criterion = ACW_loss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
train_loader = DataLoader(AgricultureDataset(), batch_size=2)
for epoch in range(2):
    for inputs, labels in train_loader:
        outputs = net(inputs)
        main_loss = criterion(outputs, labels)
        optimizer.zero_grad()
        main_loss.backward()
        optimizer.step()
    print('epoch', epoch, main_loss.item())
