import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

N_CLASSES = 21


def cross_entropy2d(input, target, weight=None):
    n, c, h, w = input.size()
    nt, ht, wt = target.size()
    input = F.interpolate(input, size=(ht, wt), mode='bilinear', align_corners=True)
    input = input.transpose(1, 2).transpose(2, 3).contiguous().view(-1, c)
    target = target.view(-1)
    return F.cross_entropy(input, target, weight=weight, ignore_index=250)


class fcn8s(nn.Module):
    def __init__(self, n_classes=N_CLASSES):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.score = nn.Conv2d(32, n_classes, 1)
        self.upscore = nn.ConvTranspose2d(n_classes, n_classes, 8, stride=8, bias=False)

    def forward(self, x):
        return self.upscore(self.score(self.features(x)))


# Pascal VOC images keep their own size (here 100 x 75) with 'ignore' 250 at the borders
images = torch.rand(4, 3, 100, 75)
labels = torch.randint(0, N_CLASSES, (4, 100, 75))
labels[:, 0, :] = 250
trainloader = DataLoader(TensorDataset(images, labels), batch_size=2, shuffle=True)

model = fcn8s()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.99)
loss_fn = cross_entropy2d
for i, (imgs, lbls) in enumerate(trainloader):
    outputs = model(imgs)
    loss = loss_fn(input=outputs, target=lbls)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('iter', i, 'loss', loss.item())
