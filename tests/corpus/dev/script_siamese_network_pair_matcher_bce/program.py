import argparse
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset


class SiameseNetwork(nn.Module):
    """Twin encoder (a small CNN instead of torchvision's resnet18), features concatenated,
    an MLP head and a sigmoid: probability that the two images show the same digit."""
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1))
        self.fc_in_features = 64
        self.fc = nn.Sequential(nn.Linear(self.fc_in_features * 2, 256), nn.ReLU(inplace=True), nn.Linear(256, 1))
        self.sigmoid = nn.Sigmoid()

    def forward_once(self, x):
        output = self.encoder(x)
        return output.view(output.size()[0], -1)

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        output = torch.cat((output1, output2), 1)
        output = self.fc(output)
        return self.sigmoid(output)


class APP_MATCHER(Dataset):
    """Pairs of digit images: same class (target 1) or different class (target 0), half each."""
    def __init__(self, n_images, n_pairs, seed):
        g = torch.Generator().manual_seed(seed)
        self.images = torch.rand(n_images, 1, 28, 28, generator=g)
        self.labels = torch.randint(0, 10, (n_images,), generator=g)
        rnd = random.Random(seed)
        by_class = {c: (self.labels == c).nonzero().flatten().tolist() for c in range(10)}
        self.pairs = []
        for k in range(n_pairs):
            i = rnd.randrange(n_images)
            if k % 2 == 0:
                j = rnd.choice(by_class[int(self.labels[i])])
            else:
                j = rnd.choice([x for x in range(n_images) if self.labels[x] != self.labels[i]])
            self.pairs.append((i, j, float(self.labels[i] == self.labels[j])))

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        i, j, target = self.pairs[index]
        return self.images[i], self.images[j], torch.tensor(target, dtype=torch.float)


def train(args, model, train_loader, optimizer, epoch):
    model.train()
    criterion = nn.BCELoss()
    for batch_idx, (images_1, images_2, targets) in enumerate(train_loader):
        optimizer.zero_grad()
        outputs = model(images_1, images_2).squeeze()
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        print('Train Epoch: {} [{}/{}]\tLoss: {:.6f}'.format(epoch, batch_idx * len(images_1),
                                                          len(train_loader.dataset), loss.item()))


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0, 0
    criterion = nn.BCELoss()
    with torch.no_grad():
        for images_1, images_2, targets in test_loader:
            outputs = model(images_1, images_2).squeeze()
            test_loss += criterion(outputs, targets).sum().item()
            pred = torch.where(outputs > 0.5, 1, 0)
            correct += pred.eq(targets.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print('Test set: Average loss: {:.4f}, Accuracy: {}/{}'.format(test_loss, correct, len(test_loader.dataset)))


def main():
    parser = argparse.ArgumentParser(description='PyTorch Siamese network Example')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args([])
    torch.manual_seed(args.seed)
    train_loader = DataLoader(APP_MATCHER(200, 72, 0), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(APP_MATCHER(100, 40, 1), batch_size=args.batch_size)
    model = SiameseNetwork()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        test(model, test_loader)
        scheduler.step()


if __name__ == '__main__':
    main()
