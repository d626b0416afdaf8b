import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class SKConv(nn.Module):
    def __init__(self, features, M, G, r, stride=1, L=8):
        super().__init__()
        d = max(int(features / r), L)
        self.convs = nn.ModuleList([
            nn.Sequential(
                nn.Conv2d(features, features, kernel_size=3 + i * 2, stride=stride, padding=1 + i, groups=G),
                nn.BatchNorm2d(features),
                nn.ReLU(inplace=False),
            ) for i in range(M)
        ])
        self.fc = nn.Linear(features, d)
        self.fcs = nn.ModuleList([nn.Linear(d, features) for _ in range(M)])
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        feas = torch.stack([conv(x) for conv in self.convs], dim=1)
        fea_U = feas.sum(dim=1)
        fea_s = fea_U.mean(dim=(2, 3))
        fea_z = self.fc(fea_s)
        attention = self.softmax(torch.stack([fc(fea_z) for fc in self.fcs], dim=1))
        return (feas * attention[..., None, None]).sum(dim=1)


class SKUnit(nn.Module):
    def __init__(self, in_features, out_features, M, G, r, stride=1):
        super().__init__()
        mid = out_features // 2
        self.feas = nn.Sequential(
            nn.Conv2d(in_features, mid, 1), nn.BatchNorm2d(mid),
            SKConv(mid, M, G, r, stride=stride), nn.BatchNorm2d(mid),
            nn.Conv2d(mid, out_features, 1), nn.BatchNorm2d(out_features),
        )
        if in_features == out_features and stride == 1:
            self.shortcut = nn.Sequential()
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(in_features, out_features, 1, stride=stride),
                                          nn.BatchNorm2d(out_features))

    def forward(self, x):
        return self.feas(x) + self.shortcut(x)


class SKNet(nn.Module):
    def __init__(self, class_num):
        super().__init__()
        self.basic_conv = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16))  # 32x32
        self.stage_1 = nn.Sequential(
            SKUnit(16, 32, 2, 8, 2, stride=2), nn.ReLU(),
            SKUnit(32, 32, 2, 8, 2), nn.ReLU(),
        )  # 32x32
        self.stage_2 = nn.Sequential(
            SKUnit(32, 64, 2, 8, 2, stride=2), nn.ReLU(),
            SKUnit(64, 64, 2, 8, 2), nn.ReLU(),
        )  # 16x16
        self.stage_3 = nn.Sequential(
            SKUnit(64, 128, 2, 8, 2, stride=2), nn.ReLU(),
            SKUnit(128, 128, 2, 8, 2), nn.ReLU(),
        )  # 8x8
        self.pool = nn.AvgPool2d(8)
        self.classifier = nn.Linear(128, class_num)

    def forward(self, x):
        fea = self.basic_conv(x)
        fea = self.stage_1(fea)
        fea = self.stage_2(fea)
        fea = self.stage_3(fea)
        fea = self.pool(fea)
        fea = torch.flatten(fea, 1)
        return self.classifier(fea)


# CIFAR-10 sized batches
data = torch.randn(32, 3, 32, 32)
labels = torch.randint(0, 10, (32,))
train_loader = DataLoader(TensorDataset(data, labels), batch_size=8, shuffle=True)

net = SKNet(10)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

for epoch in range(1):
    net.train()
    for data_b, target in train_loader:
        result = net(data_b)
        loss = criterion(result, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
