"""A training script that crashes at its first forward: fc1 expects 16*5*5 features, gets 16*6*6.

    python bench/scripts/crash_first_forward.py            # RuntimeError: mat1 and mat2 shapes ...
    tensorsight run bench/scripts/crash_first_forward.py   # the same crash, explained
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # wrong: the feature map is 16 x 6 x 6
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
images, labels = torch.randn(64, 1, 32, 32), torch.randint(0, 10, (64,))
for step in range(10):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
