import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class ClipDataset(Dataset):
    """Video clips stored as [T, C, H, W] frame stacks, one action label per clip."""
    def __init__(self, n=48, frames=8):
        self.clips = torch.rand(n, frames, 3, 32, 32)
        self.labels = torch.randint(0, 6, (n,))

    def __len__(self):
        return len(self.clips)

    def __getitem__(self, i):
        return self.clips[i], self.labels[i]


class CNNLSTM(nn.Module):
    def __init__(self, n_classes=6, feat=64, hidden=64):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2, 1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, 2, 1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, feat))
        self.lstm = nn.LSTM(feat, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, x):                                     # [B, T, C, H, W]
        B, T, C, H, W = x.shape
        frames = x.view(B * T, C, H, W)                       # B and T are adjacent: a merge, no reorder
        f = self.cnn(frames).view(B, T, -1)                   # split back into (B, T)
        out, _ = self.lstm(f)
        return self.fc(out[:, -1])


loader = DataLoader(ClipDataset(), batch_size=12, shuffle=True)
model = CNNLSTM()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    model.train()
    for clips, labels in loader:
        loss = F.cross_entropy(model(clips), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
model.eval()
with torch.no_grad():
    clips, _ = next(iter(loader))
    full = model(clips)
    single = model(clips[:1])
print('clip 0 unaffected by the others:', torch.allclose(full[:1], single, atol=1e-5))
