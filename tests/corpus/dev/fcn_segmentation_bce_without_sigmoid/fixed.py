import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
np.random.seed(0)


class BagDataset(Dataset):
    def __init__(self, n=8):
        self.imgs = np.random.rand(n, 3, 32, 32).astype('float32')
        masks = (np.random.rand(n, 32, 32) > 0.5).astype('int64')
        self.masks = np.eye(2, dtype='float32')[masks].transpose(0, 3, 1, 2)   # one-hot [2, H, W]

    def __len__(self):
        return len(self.imgs)

    def __getitem__(self, idx):
        return torch.from_numpy(self.imgs[idx]), torch.from_numpy(self.masks[idx])


class FCN8s(nn.Module):
    def __init__(self, n_class=2):
        super().__init__()
        self.pretrained_net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.deconv = nn.Sequential(nn.ConvTranspose2d(32, 16, 2, 2), nn.ReLU(), nn.BatchNorm2d(16),
                                    nn.ConvTranspose2d(16, 16, 2, 2), nn.ReLU(), nn.BatchNorm2d(16))
        self.classifier = nn.Conv2d(16, n_class, kernel_size=1)

    def forward(self, x):
        return self.classifier(self.deconv(self.pretrained_net(x)))


train_dataloader = DataLoader(BagDataset(), batch_size=4, shuffle=True)
fcn_model = FCN8s()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(fcn_model.parameters(), lr=1e-2, momentum=0.7)
for epo in range(2):
    train_loss = 0
    for index, (bag, bag_msk) in enumerate(train_dataloader):
        optimizer.zero_grad()
        output = torch.sigmoid(fcn_model(bag))
        loss = criterion(output, bag_msk)
        loss.backward()
        optimizer.step()
        train_loss += loss.item()
    print('epoch', epo, 'train loss', train_loss / len(train_dataloader))
