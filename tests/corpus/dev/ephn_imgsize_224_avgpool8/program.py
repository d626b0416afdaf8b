import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def stage(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class EmbedNet(nn.Module):
    """ResNet-18 layout (stride 32) with the 8x8 average pool of the paper's 256-px crops."""

    def __init__(self, out_dim=64):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 7, 2, 3, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        self.layers = nn.Sequential(stage(8, 8, 1), stage(8, 16, 2), stage(16, 32, 2), stage(32, 64, 2))
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, out_dim)

    def forward(self, x):
        x = self.avgpool(self.layers(self.stem(x)))
        return F.normalize(self.fc(torch.flatten(x, 1)), dim=1)


class learn:
    def __init__(self, n_classes=8, per_class=2):
        self.imgsize = 224
        self.n_classes, self.per_class = n_classes, per_class
        self.model = EmbedNet()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)

    def sample_batch(self):
        """Class-balanced batch of random crops resized to imgsize."""
        imgs = torch.rand(self.n_classes * self.per_class, 3, 300, 300)
        imgs = F.interpolate(imgs, size=(self.imgsize, self.imgsize), mode='bilinear', align_corners=False)
        labels = torch.arange(self.n_classes).repeat_interleave(self.per_class)
        return imgs, labels

    def ephn_loss(self, fvec, labels, sigma=0.1):
        sim = fvec @ fvec.t()
        same = labels[:, None] == labels[None]
        eye = torch.eye(len(labels), dtype=torch.bool)
        pos = sim.masked_fill(~same | eye, -2).max(1)[0]          # easy positive
        neg = sim.masked_fill(same, -2).max(1)[0]                  # hard negative
        return -F.log_softmax(torch.stack([pos, neg], 1) / sigma, 1)[:, 0].mean()

    def run(self, iters=2):
        for it in range(iters):
            imgs, labels = self.sample_batch()
            loss = self.ephn_loss(self.model(imgs), labels)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            print('iter', it, 'loss', round(loss.item(), 4))


learn().run()
