import torch
import torch.nn as nn
import torch.nn.functional as F


def pixel_loss(scores, labels):
    n, c, h, w = scores.shape
    rows, cols = labels.shape[1:]
    flat = scores.permute(0, 2, 3, 1).reshape(-1, c)
    return F.cross_entropy(flat, labels.reshape(-1))


net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.MaxPool2d(2), nn.Upsample(scale_factor=2))
images = torch.rand(2, 3, 11, 14)
labels = torch.randint(0, 4, (2, 11, 14))
loss = pixel_loss(net(images), labels)
loss.backward()
print('loss', loss.item())
