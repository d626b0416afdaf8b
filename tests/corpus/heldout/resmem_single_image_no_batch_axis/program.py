import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)


def transformer(img):
    """Resize/crop stand-in: HWC uint8 image -> normalised CHW float tensor of 227x227."""
    x = torch.from_numpy(img[:227, :227]).float().permute(2, 0, 1) / 255.0
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    return (x - mean) / std


class ResMem(nn.Module):
    """Memorability regressor: an AlexNet-style conv branch and a residual branch, fused by an MLP."""

    def __init__(self):
        super().__init__()
        self.alex = nn.Sequential(
            nn.Conv2d(3, 48, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(48, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(3))
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 7, stride=4, padding=3), nn.BatchNorm2d(32), nn.ReLU())
        self.res = nn.Sequential(nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                                 nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Linear(64 * 3 * 3 + 32, 256), nn.ReLU(), nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, x):
        a = torch.flatten(self.alex(x), 1)
        s = self.stem(x)
        r = torch.flatten(self.pool(torch.relu(s + self.res(s))), 1)
        return self.head(torch.cat([a, r], dim=1))


model = ResMem()
model.eval()

img = np.random.randint(0, 256, size=(256, 256, 3), dtype=np.uint8)   # one RGB photo
image_x = transformer(img)
with torch.no_grad():
    prediction = model(image_x)
print('memorability', prediction.item())
