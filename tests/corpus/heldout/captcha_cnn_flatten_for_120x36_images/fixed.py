import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, Dataset

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)

CHARS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'K', 'M', 'N', 'L', 'S', 'I', 'P', 'R', 'T', 'U', 'V',
         'W', 'X', 'Y', '1', '2', '3', '4', '5', '6', '7', '8', '9']
CAPTCHA_LEN = 6


class CaptchaDataset(Dataset):
    """Captcha images as the user's scraper saved them (150 x 50 RGB), label = 6 characters."""

    def __init__(self, n):
        self.items = []
        for _ in range(n):
            img = Image.fromarray(np.random.randint(0, 256, (50, 150, 3), dtype=np.uint8))
            self.items.append((img, ''.join(random.choices(CHARS, k=CAPTCHA_LEN))))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        img, text = self.items[idx][0].resize((120, 36)), self.items[idx][1]
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
        y = torch.tensor([CHARS.index(c) for c in text])
        return x, y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 18, 5)
        self.conv2 = nn.Conv2d(18, 48, 5)
        self.fc1 = nn.Linear(48 * 6 * 27, 360)
        self.fc2 = nn.Linear(360, CAPTCHA_LEN * len(CHARS))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 48 * 6 * 27)  # flatten here
        x = F.relu(self.fc1(x))
        return self.fc2(x).view(-1, CAPTCHA_LEN, len(CHARS))


train_loader = DataLoader(CaptchaDataset(64), batch_size=32, shuffle=True)
net = Net()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(2):
    for x, y in train_loader:
        out = net(x)
        loss = F.cross_entropy(out.reshape(-1, len(CHARS)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
