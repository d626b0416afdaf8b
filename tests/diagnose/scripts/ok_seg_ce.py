"""Semantic segmentation: logits [N, C, H, W] against integer masks [N, H, W]."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(34)


class Scenes(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        img = torch.rand(3, 20, 20, generator=g)
        mask = (img[0] * 4).long().clamp(max=3)
        return img, mask


seg = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 4, 1))
crit = nn.CrossEntropyLoss()
opt = torch.optim.Adam(seg.parameters(), lr=1e-3)
for img, mask in DataLoader(Scenes(), batch_size=4):
    logits = seg(img)
    loss = crit(logits, mask)
    opt.zero_grad()
    loss.backward()
    opt.step()
    iou_hits = (logits.argmax(1) == mask).float().mean()
print(loss.item(), iou_hits.item())
