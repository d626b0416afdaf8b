"""Predict one sample with a freshly built classifier that was never switched to eval mode."""
import torch
import torch.nn as nn

torch.manual_seed(0)


def build_classifier(n_out):
    return nn.Sequential(nn.Linear(12, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, n_out))


clf = build_classifier(4)
sample = torch.randn(1, 12)
with torch.no_grad():
    scores = clf(sample)
print("class", int(scores.argmax(1)))
