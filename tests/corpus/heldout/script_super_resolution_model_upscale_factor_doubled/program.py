import argparse
from math import log10

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super(Net, self).__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 64, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(64, 64, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(64, 32, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(32, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


def calculate_valid_crop_size(crop_size, upscale_factor):
    return crop_size - (crop_size % upscale_factor)


class DatasetFromImages(Dataset):
    """Stand-in for the BSDS300 folder: Y channel of random images, target = centre crop,
    input = the crop downscaled by upscale_factor (CenterCrop + Resize in the original)."""
    def __init__(self, n, crop_size, upscale_factor, seed):
        g = torch.Generator().manual_seed(seed)
        self.images = torch.rand(n, 1, 80, 80, generator=g)
        self.crop_size, self.upscale_factor = crop_size, upscale_factor

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        off = (80 - self.crop_size) // 2
        target = self.images[i, :, off:off + self.crop_size, off:off + self.crop_size]
        small = self.crop_size // self.upscale_factor
        inp = F.interpolate(target.unsqueeze(0), size=(small, small), mode='bicubic', align_corners=False)[0]
        return inp, target


parser = argparse.ArgumentParser(description='PyTorch Super Res Example')
parser.add_argument('--upscale_factor', type=int, default=3)
parser.add_argument('--batchSize', type=int, default=16)
parser.add_argument('--testBatchSize', type=int, default=10)
parser.add_argument('--nEpochs', type=int, default=2)
parser.add_argument('--lr', type=float, default=0.01)
parser.add_argument('--seed', type=int, default=123)
opt = parser.parse_args([])
torch.manual_seed(opt.seed)

crop_size = calculate_valid_crop_size(64, opt.upscale_factor)
training_data_loader = DataLoader(DatasetFromImages(48, crop_size, opt.upscale_factor, 0), batch_size=opt.batchSize, shuffle=True)
testing_data_loader = DataLoader(DatasetFromImages(20, crop_size, opt.upscale_factor, 1), batch_size=opt.testBatchSize)

model = Net(upscale_factor=opt.upscale_factor * 2)
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=opt.lr)


def train(epoch):
    epoch_loss = 0
    for iteration, (input, target) in enumerate(training_data_loader, 1):
        optimizer.zero_grad()
        loss = criterion(model(input), target)
        epoch_loss += loss.item()
        loss.backward()
        optimizer.step()
    print('===> Epoch {} Complete: Avg. Loss: {:.4f}'.format(epoch, epoch_loss / len(training_data_loader)))


def test():
    avg_psnr = 0
    with torch.no_grad():
        for input, target in testing_data_loader:
            mse = criterion(model(input), target)
            avg_psnr += 10 * log10(1 / mse.item())
    print('===> Avg. PSNR: {:.4f} dB'.format(avg_psnr / len(testing_data_loader)))


for epoch in range(1, opt.nEpochs + 1):
    train(epoch)
    test()
