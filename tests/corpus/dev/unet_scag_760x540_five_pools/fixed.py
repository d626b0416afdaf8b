import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

IMG_SIZE = (64, 64)


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class up_conv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.Sequential(nn.Upsample(scale_factor=2), conv_block(cin, cout))

    def forward(self, x):
        return self.up(x)


class AttUNet(nn.Module):
    def __init__(self, in_ch=3, out_ch=1, n=4):
        super().__init__()
        f = [n, n * 2, n * 4, n * 8, n * 16, n * 32]
        self.pool = nn.MaxPool2d(2, 2)
        self.enc = nn.ModuleList([conv_block(in_ch, f[0])] + [conv_block(f[i], f[i + 1]) for i in range(5)])
        self.ups = nn.ModuleList(up_conv(f[i + 1], f[i]) for i in reversed(range(5)))
        self.decs = nn.ModuleList(conv_block(f[i] * 2, f[i]) for i in reversed(range(5)))
        self.out = nn.Conv2d(f[0], out_ch, 1)

    def forward(self, x):
        skips = []
        for i, enc in enumerate(self.enc):
            x = enc(x if i == 0 else self.pool(x))
            skips.append(x)
        d = skips[-1]
        for up, dec, skip in zip(self.ups, self.decs, reversed(skips[:-1])):
            d = up(d)
            d = torch.cat((skip, d), dim=1)
            d = dec(d)
        return self.out(d)


class VesselSet(Dataset):
    def __init__(self, n=4):
        self.images = torch.rand(n, 3, 760 // 4, 540 // 4)
        self.masks = (torch.rand(n, 1, 760 // 4, 540 // 4) > 0.8).float()

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = F.interpolate(self.images[i:i + 1], size=IMG_SIZE, mode='bilinear', align_corners=False)[0]
        mask = F.interpolate(self.masks[i:i + 1], size=IMG_SIZE, mode='nearest')[0]
        return img, mask


model = AttUNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()
for images, labels in DataLoader(VesselSet(), batch_size=2):
    outputs = model(images)
    loss = criterion(outputs, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
