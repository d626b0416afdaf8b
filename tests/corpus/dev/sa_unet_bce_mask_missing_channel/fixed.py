import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)


class AC17(Dataset):
    """Cardiac MRI slices with integer label maps (0 background, 1 left ventricle, 2 myocardium)."""
    def __init__(self, n=6, size=64):
        self.images = torch.randn(n, 1, size, size)
        self.labels = torch.randint(0, 3, (n, size, size))

    def __len__(self):
        return len(self.images)

    def __getitem__(self, idx):
        img = self.images[idx]
        mask = (self.labels[idx] == 1).float().unsqueeze(0)
        return {'image': img, 'mask': mask}


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class SmallUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1, self.enc2 = block(1, 8), block(8, 16)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec = block(16, 8)
        self.head = nn.Conv2d(8, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        return self.head(self.dec(torch.cat([e1, self.up(e2)], dim=1)))


class SegmentationModule(nn.Module):
    def __init__(self, net, crit):
        super().__init__()
        self.net, self.crit = net, crit

    def forward(self, feed_dict):
        pred = self.net(feed_dict['image'])
        return self.crit(pred, feed_dict['mask'])


module = SegmentationModule(SmallUNet(), nn.BCEWithLogitsLoss())
optimizer = torch.optim.SGD(module.parameters(), lr=0.01, momentum=0.9)
loader = DataLoader(AC17(), batch_size=1, shuffle=True)
for i, feed_dict in enumerate(loader):
    loss = module(feed_dict)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('iter', i, 'loss', loss.item())
