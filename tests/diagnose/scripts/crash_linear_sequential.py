"""LeNet written as one nn.Sequential on 1x32x32 inputs, with the classifier sized by hand."""
import torch
from torch import nn

torch.manual_seed(2)

net = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=5),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, kernel_size=5),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(256, 84),
    nn.ReLU(),
    nn.Linear(84, 10),
)

optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(3):
    x = torch.randn(12, 1, 32, 32)
    y = torch.randint(0, 10, (12,))
    loss = nn.functional.cross_entropy(net(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("done", loss.item())
