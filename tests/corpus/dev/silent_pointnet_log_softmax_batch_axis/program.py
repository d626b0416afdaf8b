import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class PointNetCls(nn.Module):
    def __init__(self, k=4):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 64, 1)
        self.conv2 = nn.Conv1d(64, 128, 1)
        self.conv3 = nn.Conv1d(128, 256, 1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm1d(64), nn.BatchNorm1d(128), nn.BatchNorm1d(256)
        self.fc1 = nn.Linear(256, 128)
        self.bn4 = nn.BatchNorm1d(128)
        self.dropout = nn.Dropout(p=0.3)
        self.fc2 = nn.Linear(128, k)

    def forward(self, x):                                  # [B, 3, n_points]
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = self.bn3(self.conv3(x))
        x = torch.max(x, 2, keepdim=True)[0].view(-1, 256)
        x = F.relu(self.bn4(self.fc1(x)))
        x = self.fc2(self.dropout(x))
        return F.log_softmax(x, dim=0)


classifier = PointNetCls(k=4)
optimizer = torch.optim.Adam(classifier.parameters(), lr=0.001, betas=(0.9, 0.999))
points = torch.randn(96, 3, 256)
target = torch.randint(0, 4, (96,))
for epoch in range(2):
    for i in range(0, 96, 32):
        pred = classifier(points[i:i + 32])
        loss = F.nll_loss(pred, target[i:i + 32])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        correct = pred.data.max(1)[1].eq(target[i:i + 32].data).cpu().sum()
        print('[%d: %d] train loss: %f accuracy: %f' % (epoch, i, loss.item(), correct.item() / 32.0))
