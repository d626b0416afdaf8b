"""Inference on one photo with a trained-style backbone: the sample has no batch axis."""
import torch
import torch.nn as nn

torch.manual_seed(9)


def load_photo(seed):
    g = torch.Generator().manual_seed(seed)
    pixels = torch.rand(3, 48, 48, generator=g)
    return (pixels - 0.5) / 0.25


backbone = nn.Sequential(
    nn.Conv2d(3, 8, 3, stride=2, padding=1),
    nn.BatchNorm2d(8),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(8, 5),
)
backbone.eval()

photo = load_photo(42)
with torch.no_grad():
    scores = backbone(photo)
print("predicted class", scores.argmax(dim=1).item())
