import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(7)

config = {"classes": 7, "samples": 42, "batch": 14, "img": 12}


class WithIndex(Dataset):
    def __init__(self, n, size, classes):
        self.images = torch.randn(n, 1, size, size)
        self.labels = torch.randint(0, classes, (n,))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, k):
        return self.images[k], self.labels[k], k


class SoftLabelBank:
    """Per-sample soft labels, initialised from the hard labels and then learned."""

    def __init__(self, n, classes):
        self.table = torch.zeros(n, classes)

    def init_from(self, labels, idx):
        soft = torch.zeros(labels.size(0), 10).scatter_(1, labels.unsqueeze(1), 1.0)
        self.table[idx] = soft

    def get(self, idx):
        return self.table[idx].clone().requires_grad_(True)


def make_net(classes):
    return nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                         nn.Linear(6, classes))


net = make_net(config["classes"])
bank = SoftLabelBank(config["samples"], config["classes"])
loader = DataLoader(WithIndex(config["samples"], config["img"], config["classes"]),
                    batch_size=config["batch"], shuffle=True)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(2):
    for images, labels, idx in loader:
        if epoch == 0:
            bank.init_from(labels, idx)
        soft = bank.get(idx)
        log_p = F.log_softmax(net(images), dim=1)
        loss = -(soft.softmax(dim=1) * log_p).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print('epoch', epoch, loss.item())
