import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)

CONFIG = {
    'image_size': 488,
    'batch_size': 2,
    'lr': 1e-3,
    'filters': [4, 8, 16, 32, 64],
}


class ScanDataset(Dataset):
    """Scans of assorted sizes, resized to one training size with their masks."""

    def __init__(self, n, size):
        self.size = size
        g = torch.Generator().manual_seed(1)
        self.items = []
        for i in range(n):
            h, w = 400 + 37 * i, 520 - 21 * i
            self.items.append((torch.rand(3, h, w, generator=g), (torch.rand(1, h, w, generator=g) > 0.5).float()))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        img, mask = self.items[i]
        img = F.interpolate(img[None], size=(self.size, self.size), mode='bilinear', align_corners=False)[0]
        mask = F.interpolate(mask[None], size=(self.size, self.size), mode='nearest')[0]
        return img, mask


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def up_conv(cin, cout):
    return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True))


class U_Net(nn.Module):
    def __init__(self, in_ch=3, out_ch=1, filters=(8, 16, 32, 64, 128)):
        super().__init__()
        self.pool = nn.MaxPool2d(2, 2)
        self.Conv1, self.Conv2 = conv_block(in_ch, filters[0]), conv_block(filters[0], filters[1])
        self.Conv3, self.Conv4 = conv_block(filters[1], filters[2]), conv_block(filters[2], filters[3])
        self.Conv5 = conv_block(filters[3], filters[4])
        self.Up5, self.Up_conv5 = up_conv(filters[4], filters[3]), conv_block(filters[4], filters[3])
        self.Up4, self.Up_conv4 = up_conv(filters[3], filters[2]), conv_block(filters[3], filters[2])
        self.Up3, self.Up_conv3 = up_conv(filters[2], filters[1]), conv_block(filters[2], filters[1])
        self.Up2, self.Up_conv2 = up_conv(filters[1], filters[0]), conv_block(filters[1], filters[0])
        self.Conv = nn.Conv2d(filters[0], out_ch, 1)

    def forward(self, x):
        e1 = self.Conv1(x)
        e2 = self.Conv2(self.pool(e1))
        e3 = self.Conv3(self.pool(e2))
        e4 = self.Conv4(self.pool(e3))
        e5 = self.Conv5(self.pool(e4))
        d5 = self.Up_conv5(torch.cat((e4, self.Up5(e5)), dim=1))
        d4 = self.Up_conv4(torch.cat((e3, self.Up4(d5)), dim=1))
        d3 = self.Up_conv3(torch.cat((e2, self.Up3(d4)), dim=1))
        d2 = self.Up_conv2(torch.cat((e1, self.Up2(d3)), dim=1))
        return self.Conv(d2)


train_loader = DataLoader(ScanDataset(2, CONFIG['image_size']), batch_size=CONFIG['batch_size'], shuffle=True)
model = U_Net(filters=CONFIG['filters'])
opt = torch.optim.Adam(model.parameters(), lr=CONFIG['lr'])
for epoch in range(1):
    for x, y in train_loader:
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print('epoch', epoch, 'loss', loss.item())
