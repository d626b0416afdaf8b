import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
np.random.seed(0)


class ModelNetDataLoader(Dataset):
    def __init__(self, n_shapes, npoints=256, num_class=10):
        self.points = np.random.randn(n_shapes, npoints, 3).astype(np.float32)
        self.labels = np.random.randint(0, num_class, n_shapes)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        pts = self.points[i] - self.points[i].mean(0)
        pts = pts / np.max(np.linalg.norm(pts, axis=1))
        return torch.from_numpy(pts), int(self.labels[i])


class get_model(nn.Module):
    def __init__(self, k=10):
        super().__init__()
        self.conv1, self.conv2, self.conv3 = nn.Conv1d(3, 64, 1), nn.Conv1d(64, 128, 1), nn.Conv1d(128, 1024, 1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm1d(64), nn.BatchNorm1d(128), nn.BatchNorm1d(1024)
        self.fc1, self.fc2, self.fc3 = nn.Linear(1024, 512), nn.Linear(512, 256), nn.Linear(256, k)
        self.bn4, self.bn5 = nn.BatchNorm1d(512), nn.BatchNorm1d(256)
        self.drop = nn.Dropout(0.4)

    def forward(self, xyz):                         # [B, 3, N]
        x = F.relu(self.bn1(self.conv1(xyz)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = self.bn3(self.conv3(x)).max(2)[0]       # global feature [B, 1024]
        x = self.drop(F.relu(self.bn4(self.fc1(x))))
        x = self.drop(F.relu(self.bn5(self.fc2(x))))
        return F.log_softmax(self.fc3(x), -1)


TRAIN_DATASET = ModelNetDataLoader(n_shapes=49)
trainDataLoader = DataLoader(TRAIN_DATASET, batch_size=24, shuffle=True, num_workers=0, drop_last=True)
classifier = get_model()
optimizer = torch.optim.Adam(classifier.parameters(), lr=1e-3, weight_decay=1e-4)
for epoch in range(2):
    classifier.train()
    for points, target in trainDataLoader:
        pred = classifier(points.transpose(2, 1))
        loss = F.nll_loss(pred, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
