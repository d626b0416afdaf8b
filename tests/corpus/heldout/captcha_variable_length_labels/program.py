import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789'
MAX_LEN = 7
IMAGE_H, IMAGE_W = 32, 96


class ClassificationDataset:
    def __init__(self, images, targets):
        self.images = images
        self.targets = targets

    def __len__(self):
        return len(self.images)

    def __getitem__(self, item):
        image = self.images[item]
        targets = torch.tensor(self.targets[item], dtype=torch.long)
        return {'images': image, 'targets': targets}


class CaptchaModel(nn.Module):
    def __init__(self, num_chars):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.gru = nn.GRU(32 * (IMAGE_H // 4), 32, bidirectional=True, batch_first=True)
        self.out = nn.Linear(64, num_chars + 1)

    def forward(self, images, targets):
        x = self.conv(images)                                  # [B, 32, H/4, W/4]
        x = x.permute(0, 3, 1, 2).flatten(2)                   # [B, W/4, 32*H/4]
        x, _ = self.gru(x)
        log_probs = F.log_softmax(self.out(x), dim=2).permute(1, 0, 2)   # [T, B, C]
        T, B = log_probs.shape[:2]
        input_lengths = torch.full((B,), T, dtype=torch.long)
        target_lengths = (targets != 0).sum(dim=1)
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0)


words = ['ab3de7f', 'x9k2mq', 'pp4r8tz', 'h7h2kk', 'qwe12rt', 'zz8y7x']
encoded = [[CHARS.index(c) + 1 for c in w] for w in words]
images = torch.rand(len(words), 3, IMAGE_H, IMAGE_W)
train_loader = DataLoader(ClassificationDataset(images, encoded), batch_size=2, shuffle=True)

model = CaptchaModel(len(CHARS))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
for epoch in range(2):
    fin_loss = 0
    for data in train_loader:
        loss = model(data['images'], data['targets'])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        fin_loss += loss.item()
    print('epoch', epoch, 'loss', fin_loss / len(train_loader))
