import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class Photos(Dataset):
    def __init__(self):
        self.images = torch.rand(24, 32, 32, 3)     # decoded H x W x C
        self.labels = torch.randint(0, 5, (24,))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        image = self.images[i]
        return image, self.labels[i]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8 * 28 * 28, 5)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        return self.fc(x.flatten(1))


model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for images, labels in DataLoader(Photos(), batch_size=8):
    loss = nn.functional.cross_entropy(model(images), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
