import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)

BATCH_SIZE = 16

images_np = np.random.rand(64, 28, 28).astype(np.float32)     # (n, height, width)
labels_np = np.random.randint(0, 10, 64)
X_train = torch.from_numpy(images_np).unsqueeze(1)
y_train = torch.from_numpy(labels_np)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=1, out_channels=8, kernel_size=3)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.fc = nn.Linear(16 * 5 * 5, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


net = Net()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
perm = torch.randperm(len(X_train))
for epoch in range(2):
    for i in range(0, len(X_train), BATCH_SIZE):
        idx = perm[i:i + BATCH_SIZE]
        out = net(X_train[idx])
        loss = F.cross_entropy(out, y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
