import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

cfg = [32, 'M', 64, 'M', 128, 'M']


class VGG(nn.Module):
    def __init__(self, cfg, num_classes=10):
        super().__init__()
        layers, cin = [], 3
        for v in cfg:
            if v == 'M':
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(128 * 4 * 4, num_classes)

    def forward(self, x):
        out = self.features(x)
        return self.classifier(out.view(out.size(0), -1))


class PaddedDigits(Dataset):
    """28x28 grayscale digits padded to the 32x32 the CIFAR network expects."""
    def __init__(self, n):
        self.digits = torch.rand(n, 1, 28, 28)
        self.labels = torch.randint(0, 10, (n,))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        img = F.pad(self.digits[i], (2, 2, 2, 2)).expand(3, -1, -1)
        return img, self.labels[i]


train_loader = DataLoader(PaddedDigits(64), batch_size=16, shuffle=True)
net = VGG(cfg)
optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
criterion = nn.CrossEntropyLoss()
for epoch in range(1):
    correct = 0
    for inputs, targets in train_loader:
        outputs = net(inputs)
        loss = criterion(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        correct += (outputs.argmax(1) == targets).sum().item()
    print('epoch', epoch, 'acc', correct / 64)
