import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

BATCH_SIZE = 4
N_CLASSES = 6


def conv2DBatchNormRelu(cin, cout, k=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class pyramidPooling(nn.Module):
    def __init__(self, in_channels, pool_sizes=(6, 3, 2, 1)):
        super().__init__()
        self.pool_sizes = pool_sizes
        self.paths = nn.ModuleList(conv2DBatchNormRelu(in_channels, in_channels // len(pool_sizes)) for _ in pool_sizes)

    def forward(self, x):
        h, w = x.shape[2:]
        out = [x]
        for size, path in zip(self.pool_sizes, self.paths):
            y = path(F.adaptive_avg_pool2d(x, size))
            out.append(F.interpolate(y, size=(h, w), mode='bilinear', align_corners=True))
        return torch.cat(out, dim=1)


class pspnet(nn.Module):
    def __init__(self, n_classes=N_CLASSES):
        super().__init__()
        self.backbone = nn.Sequential(conv2DBatchNormRelu(3, 16, 3), nn.MaxPool2d(2), conv2DBatchNormRelu(16, 32, 3))
        self.ppm = pyramidPooling(32)
        self.classification = nn.Conv2d(64, n_classes, 1)

    def forward(self, x):
        size = x.shape[2:]
        x = self.ppm(self.backbone(x))
        return F.interpolate(self.classification(x), size=size, mode='bilinear', align_corners=True)


train_set = TensorDataset(torch.rand(13, 3, 48, 48), torch.randint(0, N_CLASSES, (13, 48, 48)))
trainloader = DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True)
model = pspnet()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
for epoch in range(1):
    for i, (images, labels) in enumerate(trainloader):
        outputs = model(images)
        loss = F.cross_entropy(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
