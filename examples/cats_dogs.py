"""The cats-vs-dogs CNN of the seed question, as its author wrote it (synthetic 50x50 images).

    tensorsight run examples/cats_dogs.py      # the crash, its root cause and the fixes
    tensorsight fix --write examples/cats_dogs.py
    tensorsight trace examples/cats_dogs.py:Net --arg num_channels=32 --input 16x1x50x50
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class RunningMetrics():
    def __init__(self):
        self._sum = 0
        self._count = 0

    def __call__(self):
        return self._sum / float(self._count)

    def update(self, val, size):
        self._sum += val
        self._count += size


class Net(nn.Module):
    def __init__(self, num_channels, conv_kernel_size=3, stride=1, padding=1, max_pool_kernel_size=2):
        super(Net, self).__init__()
        self._num_channels = num_channels
        self._max_pool_kernel_size = max_pool_kernel_size
        self.conv1 = nn.Conv2d(1, self._num_channels, conv_kernel_size, stride, padding)
        self.conv2 = nn.Conv2d(self._num_channels, self._num_channels*2, conv_kernel_size, stride, padding)
        self.conv3 = nn.Conv2d(self._num_channels*2, self._num_channels*4, conv_kernel_size, stride, padding)
        # Calc input of first
        self.fc1 = nn.Linear(self._num_channels*4*8*8, self._num_channels*8)
        self.fc2 = nn.Linear(self._num_channels*8, 2)

    def forward(self, x):
        # Conv
        x = self.conv1(x)
        x = F.relu(F.max_pool2d(x, self._max_pool_kernel_size))
        x = self.conv2(x)
        x = F.relu(F.max_pool2d(x, self._max_pool_kernel_size))
        x = self.conv3(x)
        x = F.relu(F.max_pool2d(x, self._max_pool_kernel_size))
        # Flatten
        x = x.view(-1, self._num_channels*4*8*8)
        # Fully Connected
        x = self.fc1(x)
        x = F.relu(x)
        x = self.fc2(x)
        # return F.log_softmax(x, dim=1)
        return F.softmax(x, dim=1)


if __name__ == '__main__':
    torch.manual_seed(0)
    # stand-in for PetImages/training_data.npy: grayscale 50x50 images with one-hot labels
    rng = np.random.default_rng(0)
    training_data = [(rng.random((50, 50)) * 255, np.eye(2)[rng.integers(0, 2)]) for _ in range(160)]
    net = Net(num_channels=32)
    optimizer = optim.Adam(net.parameters(), lr=0.001)
    loss_function = nn.MSELoss()
    X = torch.Tensor(np.array([i[0] for i in training_data])).view(-1, 50, 50)
    X = X/255.0
    y = torch.Tensor(np.array([i[1] for i in training_data]))
    VAL_PERCENT = 0.1
    val_size = int(len(X)*VAL_PERCENT)
    X_train = X[:-val_size]
    y_train = y[:-val_size]
    BATCH_SIZE = 16
    EPOCHS = 1
    IMG_SIZE = 50
    for epoch in range(EPOCHS):
        running_loss = RunningMetrics()
        running_acc = RunningMetrics()
        for i in range(0, len(X_train), BATCH_SIZE):
            inputs = X_train[i:i+BATCH_SIZE].view(-1, 1, IMG_SIZE, IMG_SIZE)
            targets = y_train[i:i+BATCH_SIZE]
            optimizer.zero_grad()
            outputs = net(inputs)
            _, preds = torch.max(outputs, 1)
            loss = loss_function(outputs, targets)
            loss.backward()
            optimizer.step()
            running_loss.update(loss.item()*BATCH_SIZE, BATCH_SIZE)
            running_acc.update(torch.sum(preds == targets).float(), BATCH_SIZE)
        print(f'Loss: {running_loss():.4f}, Acc: {running_acc():.4f}')
