"""The three-conv CNN of the seed question "shape '[16, 400]' is invalid for input of size 9600".

    tensorsight run examples/cnn_16_400.py
    tensorsight trace examples/cnn_16_400.py:ConvNet --input 16x3x256x256
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


# Convolutional neural network
class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv2d(
            in_channels=3,
            out_channels=16,
            kernel_size=3)
        self.conv2 = nn.Conv2d(
            in_channels=16,
            out_channels=24,
            kernel_size=4)
        self.conv3 = nn.Conv2d(
            in_channels=24,
            out_channels=32,
            kernel_size=4)
        self.dropout = nn.Dropout2d(p=0.3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(512, 10)
        self.final = nn.Softmax(dim=1)

    def forward(self, x):
        print('shape 0 ' + str(x.shape))
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = self.dropout(x)
        print('shape 1 ' + str(x.shape))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.dropout(x)
        print('shape 2 ' + str(x.shape))
        # x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        # x = self.dropout(x)
        x = F.interpolate(x, size=(5, 5))
        x = x.view(x.size(0), 5 * 5 * 16)
        x = self.fc1(x)
        return x


if __name__ == "__main__":
    net = ConvNet()
    images = torch.randn(16, 3, 256, 256)
    out = net(images)
    print(out.shape)
