import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class ClipSet(Dataset):
    def __init__(self, n=24, frames=6, size=20):
        self.x = torch.randn(n, 3, frames, size, size)
        self.y = torch.randint(0, 4, (n,))

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def fold_frames(clip):
    n, c, t, h, w = clip.shape
    return clip.reshape(n * t, c, h, w)


class FrameAverager(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(3, 12, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(12, 24, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.cls = nn.Linear(24, n_classes)

    def forward(self, clip):
        n, t = clip.shape[0], clip.shape[2]
        per_frame = self.cnn(fold_frames(clip)).flatten(1)
        return self.cls(per_frame.view(n, t, -1).mean(1))


net = FrameAverager()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for clip, y in DataLoader(ClipSet(), batch_size=8, shuffle=True):
    loss = nn.functional.cross_entropy(net(clip), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print('loss', loss.item())
