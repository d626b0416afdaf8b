import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
np.random.seed(0)

NUM_CLASSES = 3


class VOCDetection(Dataset):
    def __init__(self, n=4):
        self.images = [np.random.rand(3, 64, 64).astype(np.float32) for _ in range(n)]
        self.annos = [np.random.rand(1 + i % 2, 5) for i in range(n)]
        for a in self.annos:
            a[:, 4] = np.random.randint(0, NUM_CLASSES - 1, len(a))

    def __len__(self):
        return len(self.images)

    def pull_item(self, index):
        return torch.from_numpy(self.images[index]), torch.from_numpy(self.annos[index]).float()

    def __getitem__(self, index):
        return self.pull_item(index)


class TinySSD(nn.Module):
    def __init__(self, n_anchors=16):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(4))
        self.loc = nn.Conv2d(32, 4, 1)
        self.conf = nn.Conv2d(32, NUM_CLASSES, 1)

    def forward(self, x):
        f = self.body(x)
        return self.loc(f).flatten(2).transpose(1, 2), self.conf(f).flatten(2).transpose(1, 2)


def multibox_loss(loc, conf, targets):
    total = 0.0
    for b, t in enumerate(targets):
        best = torch.arange(len(t))                       # one anchor per object
        total = total + F.smooth_l1_loss(loc[b, best], t[:, :4]) + F.cross_entropy(conf[b, best], t[:, 4].long())
    return total / len(targets)


dataset = VOCDetection()
data_loader = DataLoader(dataset, batch_size=2, shuffle=False, collate_fn=lambda b: (torch.stack([s[0] for s in b]), [s[1] for s in b]))
net = TinySSD()
optimizer = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)
for iteration, (images, targets) in enumerate(data_loader):
    loc, conf = net(images)
    loss = multibox_loss(loc, conf, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('iter', iteration, 'loss', loss.item())
