# segmentation masks kept as [N, 1, H, W] class ids; CrossEntropyLoss wants [N, H, W]
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(6)


class Tiles(Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        return {"pixels": torch.randn(3, 16, 16), "labels": torch.randint(0, 5, (1, 16, 16))}


class Segmenter(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 5, 1))
        self.loss_fn = nn.CrossEntropyLoss()

    def step(self, sample):
        pixels, labels = sample["pixels"], sample["labels"]
        return self.loss_fn(self.net(pixels), labels)


seg = Segmenter()
opt = torch.optim.Adam(seg.parameters(), lr=1e-3)
for sample in DataLoader(Tiles(), batch_size=4):
    loss = seg.step(sample)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
