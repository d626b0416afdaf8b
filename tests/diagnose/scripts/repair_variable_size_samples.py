import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class Crops(Dataset):
    def __init__(self):
        self.sizes = [(70, 52), (58, 77), (91, 64), (66, 66), (60, 81), (75, 59)]

    def __len__(self):
        return len(self.sizes)

    def __getitem__(self, k):
        h, w = self.sizes[k]
        picture = torch.rand(1, h, w)
        label_map = (picture > 0.5).float()
        return picture, label_map


net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Upsample(scale_factor=2), nn.Conv2d(4, 1, 1))
for picture, label_map in DataLoader(Crops(), batch_size=3):
    loss = F.binary_cross_entropy_with_logits(net(picture), label_map)
    loss.backward()
print("done")
