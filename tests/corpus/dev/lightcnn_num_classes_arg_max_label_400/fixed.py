import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

parser = argparse.ArgumentParser()
parser.add_argument('--arch', default='LightCNN')
parser.add_argument('--num_classes', default=401, type=int)
parser.add_argument('--epochs', default=1, type=int)
parser.add_argument('--batch_size', default=16, type=int)
parser.add_argument('--lr', default=0.001, type=float)
parser.add_argument('--momentum', default=0.9, type=float)
parser.add_argument('--weight_decay', default=1e-4)


class ImageList(Dataset):
    """NIR-VIS face list: 'path label' lines; identities are numbered 0..400 in the list file."""
    def __init__(self, n=48, num_ids=401):
        self.labels = torch.arange(n) % num_ids
        self.labels[-1] = num_ids - 1
        self.imgs = torch.rand(n, 1, 128, 128)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {'img': self.imgs[i], 'label': self.labels[i]}


class mfm(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, type=1):
        super().__init__()
        self.out_channels = out_channels
        if type == 1:
            self.filter = nn.Conv2d(in_channels, 2 * out_channels, kernel_size, stride, padding)
        else:
            self.filter = nn.Linear(in_channels, 2 * out_channels)

    def forward(self, x):
        x = self.filter(x)
        out = torch.split(x, self.out_channels, 1)
        return torch.max(out[0], out[1])


class LightCNN(nn.Module):
    def __init__(self, num_classes=80013):
        super().__init__()
        self.features = nn.Sequential(
            mfm(1, 16, 5, 1, 2), nn.MaxPool2d(2, 2, ceil_mode=True),   # 64
            mfm(16, 32, 3, 1, 1), nn.MaxPool2d(2, 2, ceil_mode=True),  # 32
            mfm(32, 48, 3, 1, 1), nn.MaxPool2d(2, 2, ceil_mode=True),  # 16
            mfm(48, 64, 3, 1, 1), nn.MaxPool2d(2, 2, ceil_mode=True),  # 8
        )
        self.fc = mfm(8 * 8 * 64, 256, type=0)
        self.fc2_ = nn.Linear(256, num_classes, bias=False)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        fc = self.fc(x)
        x = F.dropout(fc, training=self.training)
        out = self.fc2_(x)
        return out, fc


def accuracy(output, target, topk=(1,)):
    maxk = max(topk)
    _, pred = output.topk(maxk, 1, True, True)
    correct = pred.t().eq(target.view(1, -1).expand_as(pred.t()))
    return [correct[:k].reshape(-1).float().sum(0) * 100.0 / target.size(0) for k in topk]


def pre_train(val_loader, model, criterion, optimizer, epoch):
    model.train()
    for i, data in enumerate(val_loader):
        input_var, target_var = data['img'], data['label']
        output, _ = model(input_var)
        loss = criterion(output, target_var)
        prec1, prec5 = accuracy(output.data, target_var.data, topk=(1, 5))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss %.3f prec@1 %.1f' % (loss.item(), prec1.item()))


def main():
    args, _ = parser.parse_known_args()
    model = LightCNN(num_classes=args.num_classes)
    val_loader = DataLoader(ImageList(), batch_size=args.batch_size, shuffle=False)
    criterion = nn.CrossEntropyLoss()
    params_pretrain = [{'params': v, 'lr': 10 * args.lr} for n, v in model.named_parameters() if 'fc2_' in n]
    optimizer = torch.optim.SGD(params_pretrain, args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    for epoch in range(1, args.epochs + 1):
        pre_train(val_loader, model, criterion, optimizer, epoch)


if __name__ == '__main__':
    main()
