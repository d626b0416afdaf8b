"""A VGG-style block stack in nn.Sequential; the second conv's input width is wrong."""
import torch
import torch.nn as nn

torch.manual_seed(4)
width = 12

encoder = nn.Sequential(
    nn.Conv2d(3, width, 3, padding=1),
    nn.BatchNorm2d(width),
    nn.ReLU(inplace=True),
    nn.Conv2d(width * 2, 48, 3, padding=1),
    nn.ReLU(inplace=True),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(48, 3),
)
opt = torch.optim.SGD(encoder.parameters(), lr=0.05)
for _ in range(2):
    batch = torch.randn(6, 3, 16, 16)
    labels = torch.randint(0, 3, (6,))
    loss = nn.functional.cross_entropy(encoder(batch), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
