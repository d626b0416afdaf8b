"""An audio encoder whose constructor names two norms `norm3`: the 1-D one for the projection
replaces the 2-D one built for the third conv block."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class FrameEncoder(nn.Module):
    def __init__(self, n_mels=40, width=32, proj=24):
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, padding=1)
        self.norm1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.norm2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, width, 3, stride=2, padding=1)
        self.norm3 = nn.BatchNorm2d(width)
        self.proj = nn.Linear(width * (n_mels // 2) * 5, proj)
        self.norm3 = nn.BatchNorm1d(proj)
        self.act = nn.ReLU()

    def forward(self, x):
        x = self.act(self.norm1(self.conv1(x)))
        x = self.act(self.norm2(self.conv2(x)))
        x = self.act(self.norm3(self.conv3(x)))
        x = x.flatten(1)
        return self.act(self.norm3(self.proj(x)))


model = FrameEncoder()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(3):
    spec = torch.randn(8, 1, 40, 10)
    loss = model(spec).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("done")
