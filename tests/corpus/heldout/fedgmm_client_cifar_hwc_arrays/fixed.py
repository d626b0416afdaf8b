import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

N_CLIENTS = 2
LOCAL_STEPS = 2


class ClientCIFAR(Dataset):
    """One client's shard of CIFAR-10, kept as the uint8 arrays the pickle files hold."""

    def __init__(self, images, labels):
        self.images = images          # (n, 32, 32, 3) uint8
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        img = torch.tensor(self.images[idx], dtype=torch.float32).permute(2, 0, 1) / 255.0
        return img, int(self.labels[idx])


class CNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 8 * 8, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def local_update(global_model, loader):
    model = CNN()
    model.load_state_dict(global_model.state_dict())
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for step, (x, y) in enumerate(loader):
        if step == LOCAL_STEPS:
            break
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.state_dict(), loss.item()


def average(states):
    return {k: torch.stack([s[k] for s in states]).mean(0) for k in states[0]}


clients = []
for c in range(N_CLIENTS):
    images = rng.integers(0, 256, size=(256, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=256)
    clients.append(DataLoader(ClientCIFAR(images, labels), batch_size=128, shuffle=True))

global_model = CNN()
for rnd in range(2):
    results = [local_update(global_model, loader) for loader in clients]
    global_model.load_state_dict(average([s for s, _ in results]))
    print('round', rnd, 'client losses', [round(l, 3) for _, l in results])
