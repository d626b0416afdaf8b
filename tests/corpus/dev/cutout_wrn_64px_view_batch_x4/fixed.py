import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = None if (cin == cout and stride == 1) else nn.Conv2d(cin, cout, 1, stride, bias=False)

    def forward(self, x):
        o = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(o))))
        return y + (x if self.shortcut is None else self.shortcut(o))


class WideResNet(nn.Module):
    def __init__(self, num_classes=10, widen=2):
        super().__init__()
        ch = [8, 8 * widen, 16 * widen, 32 * widen]
        self.conv1 = nn.Conv2d(3, ch[0], 3, 1, 1, bias=False)
        self.block1 = BasicBlock(ch[0], ch[1], 1)
        self.block2 = BasicBlock(ch[1], ch[2], 2)
        self.block3 = BasicBlock(ch[2], ch[3], 2)
        self.bn = nn.BatchNorm2d(ch[3])
        self.fc = nn.Linear(ch[3], num_classes)
        self.nChannels = ch[3]

    def forward(self, x):
        out = self.conv1(x)
        out = self.block3(self.block2(self.block1(out)))
        out = F.relu(self.bn(out))
        out = F.adaptive_avg_pool2d(out, 1)
        out = out.view(-1, self.nChannels)
        return self.fc(out)


images = torch.rand(64, 3, 64, 64)
labels = torch.randint(0, 10, (64,))
train_loader = DataLoader(TensorDataset(images, labels), batch_size=32, shuffle=True)
cnn = WideResNet()
cnn_optimizer = torch.optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9, nesterov=True)
criterion = nn.CrossEntropyLoss()

for epoch in range(1):
    xentropy_loss_avg = 0.
    for i, (images_b, labels_b) in enumerate(train_loader):
        cnn.zero_grad()
        pred = cnn(images_b)
        xentropy_loss = criterion(pred, labels_b)
        xentropy_loss.backward()
        cnn_optimizer.step()
        xentropy_loss_avg += xentropy_loss.item()
    print('epoch', epoch, 'xentropy', xentropy_loss_avg / (i + 1))
