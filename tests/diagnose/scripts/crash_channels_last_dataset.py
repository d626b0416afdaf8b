"""Satellite tiles decoded as H x W x C arrays, served by a custom Dataset as dicts."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(8)


class Tiles(Dataset):
    def __init__(self, n=12, size=24):
        rng = np.random.default_rng(0)
        self.tiles = rng.integers(0, 255, size=(n, size, size, 4), dtype=np.uint8)
        self.labels = rng.integers(0, 3, size=n)

    def __len__(self):
        return len(self.tiles)

    def __getitem__(self, i):
        tile = torch.tensor(self.tiles[i], dtype=torch.float32) / 255.0
        return {"tile": tile, "label": int(self.labels[i])}


model = nn.Sequential(
    nn.Conv2d(4, 16, 3, padding=1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    nn.Linear(16, 3),
)
loader = DataLoader(Tiles(), batch_size=4, shuffle=True)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for batch in loader:
    logits = model(batch["tile"])
    loss = nn.functional.cross_entropy(logits, batch["label"])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("trained", loss.item())
