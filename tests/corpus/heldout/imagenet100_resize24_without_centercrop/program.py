import random

import numpy as np
import torch
import torch.nn as nn
from PIL import Image
from torch.utils.data import DataLoader, Dataset

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)


class Grayscale:
    def __call__(self, img):
        return img.convert('L')


class Resize:
    """An int resizes the shorter side and keeps the aspect ratio (torchvision semantics)."""

    def __init__(self, size):
        self.size = size

    def __call__(self, img):
        w, h = img.size
        s = self.size
        return img.resize((s, int(s * h / w)) if w <= h else (int(s * w / h), s), Image.BILINEAR)


class CenterCrop:
    def __init__(self, size):
        self.size = size

    def __call__(self, img):
        w, h = img.size
        left, top = (w - self.size) // 2, (h - self.size) // 2
        return img.crop((left, top, left + self.size, top + self.size))


class RandomRotation:
    def __init__(self, degrees):
        self.degrees = degrees

    def __call__(self, img):
        return img.rotate(random.uniform(-self.degrees, self.degrees))


class ToTensor:
    def __call__(self, img):
        return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).unsqueeze(0)


class Compose:
    def __init__(self, ts):
        self.ts = ts

    def __call__(self, x):
        for t in self.ts:
            x = t(x)
        return x


class ImageFolder(Dataset):
    """ImageNet100-like folder: RGB photos of many aspect ratios."""

    def __init__(self, n, transform):
        sizes = [(500, 375), (375, 500), (640, 480), (500, 333), (400, 400)]
        self.samples = [(Image.fromarray(np.random.randint(0, 256, (h, w, 3), dtype=np.uint8)), i % 10)
                        for i, (w, h) in enumerate(random.choice(sizes) for _ in range(n))]
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        img, label = self.samples[i]
        return self.transform(img), label


transform = Compose([Grayscale(), Resize(24), RandomRotation(10), ToTensor()])
train_data = ImageFolder(48, transform)
train_data_loader = DataLoader(train_data, batch_size=16, shuffle=True)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_1 = nn.Sequential(nn.Conv2d(1, 32, 3), nn.BatchNorm2d(32), nn.ReLU())
        self.conv_2 = nn.Sequential(nn.Conv2d(32, 64, 3), nn.BatchNorm2d(64), nn.ReLU())
        self.maxpool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc_1 = nn.Sequential(nn.Linear(64 * 10 * 10, 128), nn.BatchNorm1d(128), nn.ReLU())
        self.fc_2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.flatten(self.maxpool(self.conv_2(self.conv_1(x))))
        return self.fc_2(self.fc_1(x))


model = CNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(2):
    for images, labels in train_data_loader:
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
