import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

# a batch of decoded RGB images as image libraries return them: (N, H, W, C), values 0..1
images_hwc = torch.rand(64, 32, 32, 3)
labels = torch.randint(0, 10, (64,))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


net = Net()
optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
inputs = images_hwc.permute(0, 3, 1, 2)
for epoch in range(5):
    loss = F.cross_entropy(net(inputs), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
