import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

IMG_SCALE = 1.0
BATCH_SIZE = 2


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.block(x)


class Down(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.pool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(cin, cout))

    def forward(self, x):
        return self.pool_conv(x)


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
        self.conv = DoubleConv(cin, cout)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        dy, dx = x2.size(2) - x1.size(2), x2.size(3) - x1.size(3)
        x1 = F.pad(x1, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([x2, x1], dim=1))


class UNet(nn.Module):
    def __init__(self, n_channels=1, n_classes=1):
        super().__init__()
        self.inc = DoubleConv(n_channels, 8)
        self.down1 = Down(8, 16)
        self.down2 = Down(16, 32)
        self.down3 = Down(32, 64)
        self.down4 = Down(64, 64)
        self.up1 = Up(128, 32)
        self.up2 = Up(64, 16)
        self.up3 = Up(32, 8)
        self.up4 = Up(16, 8)
        self.outc = nn.Conv2d(8, n_classes, 1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        x = self.up1(x5, x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        x = self.up4(x, x1)
        return self.outc(x)


class BasicDataset(Dataset):
    """Grayscale scans and their masks, rescaled by `scale` as they are loaded."""
    def __init__(self, n, scale):
        self.imgs = torch.rand(n, 1, 64, 16)
        self.masks = (torch.rand(n, 1, 64, 16) > 0.5).float()
        self.scale = scale

    def __len__(self):
        return len(self.imgs)

    def __getitem__(self, i):
        img = F.interpolate(self.imgs[i:i + 1], scale_factor=self.scale, mode='bilinear', align_corners=False)[0]
        mask = F.interpolate(self.masks[i:i + 1], scale_factor=self.scale, mode='nearest')[0]
        return img, mask


loader = DataLoader(BasicDataset(8, IMG_SCALE), batch_size=BATCH_SIZE, shuffle=True)
net = UNet()
optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-4)
criterion = nn.BCEWithLogitsLoss()

for epoch in range(1):
    for imgs, true_masks in loader:
        masks_pred = net(imgs)
        loss = criterion(masks_pred, true_masks)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
