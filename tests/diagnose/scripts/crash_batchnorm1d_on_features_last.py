"""A frame classifier normalises its per-frame features with BatchNorm1d, but the tensor it
normalises is [batch, frames, features]: BatchNorm1d reads dim 1 as the features."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
FRAMES, MFCC, HIDDEN = 30, 13, 48


class FrameNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(MFCC, HIDDEN)
        self.norm = nn.BatchNorm1d(HIDDEN)
        self.head = nn.Linear(HIDDEN, 3)

    def forward(self, x):                      # [B, FRAMES, MFCC]
        h = self.norm(torch.relu(self.proj(x)))
        return self.head(h.mean(1))


data = TensorDataset(torch.randn(40, FRAMES, MFCC), torch.randint(0, 3, (40,)))
model = FrameNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in DataLoader(data, batch_size=10, shuffle=True):
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
