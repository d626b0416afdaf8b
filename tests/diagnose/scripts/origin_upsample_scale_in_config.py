"""A decoder that upsamples its 16x16 code by a factor read from a config dict; the masks it is
trained against are 64x64, so the factor must be 4."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

CONFIG = {"channels": 8, "scale": 2}


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, cfg["channels"], 3, padding=1), nn.ReLU(),
            nn.Upsample(scale_factor=cfg["scale"], mode="nearest"),
            nn.Conv2d(cfg["channels"], 1, 3, padding=1))

    def forward(self, x):
        return self.body(x)


torch.manual_seed(0)
data = TensorDataset(torch.randn(12, 3, 16, 16), (torch.rand(12, 1, 64, 64) > 0.5).float())
loader = DataLoader(data, batch_size=4)
model = Decoder(CONFIG)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for x, mask in loader:
    loss = nn.functional.binary_cross_entropy_with_logits(model(x), mask)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
