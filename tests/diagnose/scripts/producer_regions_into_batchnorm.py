import torch
import torch.nn as nn

FEATS = 24


class Captioner(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Sequential(nn.BatchNorm1d(FEATS), nn.Linear(FEATS, 8), nn.ReLU())
        self.out = nn.Linear(8, 5)

    def forward(self, regions):
        regions = self.embed(regions)
        return self.out(regions.mean(dim=1))


model = Captioner()
regions = torch.randn(3, 7, FEATS)
print(model(regions).shape)
