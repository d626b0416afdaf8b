import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Conv2_1d(nn.Module):
    """(2+1)D convolution: a 2-D conv on every frame, then a 1-D conv along time."""
    def __init__(self, in_channels, out_channels, kernel_size=3, padding=1):
        super().__init__()
        self.conv2d = nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding)
        self.conv1d = nn.Conv1d(out_channels, out_channels, kernel_size, padding=padding)

    def forward(self, x):
        b, c, t, d1, d2 = x.size()
        x = x.permute(0, 2, 1, 3, 4).contiguous().view(b * t, c, d1, d2)
        x = self.conv2d(x)
        c, dr1, dr2 = x.size(1), x.size(2), x.size(3)
        x = x.view(b, t, c, dr1, dr2).permute(0, 3, 4, 2, 1).contiguous().view(b * dr1 * dr2, c, t)
        x = self.conv1d(x)
        x = x.view(b, dr1, dr2, c, t).permute(0, 3, 4, 1, 2).contiguous()
        return x                                            # [b, c_out, t, dr1, dr2]


class ClipClassifier(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.block1 = Conv2_1d(3, 16)
        self.block2 = Conv2_1d(16, 32)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, clip):
        x = F.relu(self.block1(clip))
        x = F.relu(self.block2(x))
        return self.fc(x.mean(dim=(2, 3, 4)))


model = ClipClassifier()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
clips = torch.randn(4, 3, 8, 16, 16)                        # [batch, RGB, frames, H, W]
labels = torch.randint(0, 5, (4,))
for step in range(3):
    loss = F.cross_entropy(model(clips), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
