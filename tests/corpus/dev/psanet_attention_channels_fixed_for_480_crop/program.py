import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


def parse_args():
    p = argparse.ArgumentParser(description='Semantic Segmentation Training With Pytorch')
    p.add_argument('--base-size', type=int, default=560)
    p.add_argument('--crop-size', type=int, default=520)
    p.add_argument('--batch-size', type=int, default=2)
    p.add_argument('--nclass', type=int, default=21)
    return p.parse_args([])


class VOCSegmentation(Dataset):
    def __init__(self, n, base_size, crop_size, nclass):
        g = torch.Generator().manual_seed(0)
        self.images = torch.rand(n, 3, base_size, base_size, generator=g)
        self.masks = torch.randint(0, nclass, (n, base_size, base_size), generator=g)
        self.crop_size = crop_size

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        cs = self.crop_size          # random crop of the configured size
        y0, x0 = int(torch.randint(0, self.images.size(2) - cs + 1, (1,))), int(torch.randint(0, self.images.size(3) - cs + 1, (1,)))
        return self.images[i, :, y0:y0 + cs, x0:x0 + cs], self.masks[i, y0:y0 + cs, x0:x0 + cs]


def dilated_backbone():
    """Output stride 8, like a dilated ResNet."""
    layers, cin = [], 3
    for cout, stride in ((16, 2), (32, 2), (32, 2), (64, 1)):
        layers += [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        cin = cout
    return nn.Sequential(*layers)


class _AttentionGeneration(nn.Module):
    def __init__(self, in_channels, reduced_channels, out_channels):
        super().__init__()
        self.conv_reduce = nn.Sequential(nn.Conv2d(in_channels, reduced_channels, 1, bias=False), nn.ReLU(True))
        self.attention = nn.Conv2d(reduced_channels, out_channels, 1, bias=False)

    def forward(self, x):
        reduce_x = self.conv_reduce(x)
        attention = self.attention(reduce_x)
        n, c, h, w = attention.size()
        attention = attention.view(n, c, -1)
        reduce_x = reduce_x.view(n, reduce_x.size(1), -1)
        fm = torch.bmm(reduce_x, torch.softmax(attention, dim=1))
        return fm.view(n, reduce_x.size(1), h, w)


class PSANet(nn.Module):
    def __init__(self, nclass):
        super().__init__()
        self.backbone = dilated_backbone()
        psa_out_channels = (480 // 8) ** 2          # one attention channel per position of the 60x60 map
        self.collect = _AttentionGeneration(64, 16, psa_out_channels)
        self.distribute = _AttentionGeneration(64, 16, psa_out_channels)
        self.head = nn.Conv2d(64 + 32, nclass, 1)

    def forward(self, x):
        size = x.shape[2:]
        c4 = self.backbone(x)
        out = torch.cat([c4, self.collect(c4), self.distribute(c4)], dim=1)
        return F.interpolate(self.head(out), size, mode='bilinear', align_corners=True)


args = parse_args()
train_loader = DataLoader(VOCSegmentation(2, args.base_size, args.crop_size, args.nclass), batch_size=args.batch_size)
model = PSANet(args.nclass)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for images, targets in train_loader:
    loss = F.cross_entropy(model(images), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('loss', loss.item())
