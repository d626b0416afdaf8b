import numpy as np
import torch
import torch.nn as nn
from PIL import Image
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
rng = np.random.default_rng(0)


class PadSquare:
    """Pad the shorter side with black borders, half on each side."""

    def __call__(self, img):
        w, h = img.size
        if w == h:
            return img
        pad = abs(w - h) // 2
        out = Image.new(img.mode, (max(w, h) if w > h else w + 2 * pad, max(w, h) if h > w else h + 2 * pad))
        out.paste(img, (0 if w > h else pad, pad if w > h else 0))
        return out


class Resize:
    """torchvision semantics: an int (or one-element list) sets the smaller edge, a pair sets (h, w)."""

    def __init__(self, size):
        self.size = size

    def __call__(self, img):
        w, h = img.size
        if isinstance(self.size, int) or len(self.size) == 1:
            s = self.size if isinstance(self.size, int) else self.size[0]
            size = (s, int(s * w / h)) if h <= w else (int(s * h / w), s)
        else:
            size = tuple(self.size)
        return img.resize((size[1], size[0]), Image.BICUBIC)


class ToNormalizedTensor:
    def __call__(self, img):
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
        return (x - torch.tensor([0.485, 0.456, 0.406])[:, None, None]) / torch.tensor([0.229, 0.224, 0.225])[:, None, None]


class Compose:
    def __init__(self, ts):
        self.ts = ts

    def __call__(self, x):
        for t in self.ts:
            x = t(x)
        return x


class PhotoDataset(Dataset):
    def __init__(self, sizes, transform):
        self.images = [Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for (w, h) in sizes]
        self.transform = transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.transform(self.images[i]), i % 5


infer_transform = Compose([PadSquare(), Resize((384, 384)), ToNormalizedTensor()])
dataset = PhotoDataset([(640, 480), (500, 375), (333, 500), (300, 225)], infer_transform)
model = nn.Sequential(nn.Conv2d(3, 16, 7, 4, 3), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 5))
model.eval()
with torch.no_grad():
    for x, idx in DataLoader(dataset, batch_size=4):
        print('predictions', model(x).argmax(1).tolist())
