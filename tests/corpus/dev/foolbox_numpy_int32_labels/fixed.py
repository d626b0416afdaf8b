import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)


def samples(batchsize=8):
    images = np.random.rand(batchsize, 3, 32, 32).astype(np.float32)
    labels = np.random.randint(0, 10, size=batchsize).astype(np.int32)
    return images, labels


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.res = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        h = F.relu(self.conv(x))
        h = F.relu(h + self.res(h))
        return self.fc(h.mean(dim=(2, 3)))


def fgsm(model, images, labels, epsilon):
    images = images.clone().requires_grad_(True)
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    return (images + epsilon * images.grad.sign()).clamp(0, 1).detach()


model = SmallResNet().eval()
images_np, labels_np = samples()
images = torch.from_numpy(images_np)
labels = torch.from_numpy(labels_np).long()
clean_acc = (model(images).argmax(1) == labels).float().mean().item()
for epsilon in [0.0, 0.01, 0.03]:
    adv = fgsm(model, images, labels, epsilon)
    robust = (model(adv).argmax(1) == labels).float().mean().item()
    print('eps', epsilon, 'clean', clean_acc, 'robust', robust)
