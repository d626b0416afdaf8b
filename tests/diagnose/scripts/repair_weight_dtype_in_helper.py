import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)


def inverse_frequency(labels, n):
    freq = np.bincount(labels, minlength=n) / len(labels)
    return torch.from_numpy(1.0 / np.maximum(freq, 1e-3))


labels_np = rng.integers(0, 3, 60)
features = torch.randn(60, 8)
targets = torch.from_numpy(labels_np).long()
parts = {
    "net": nn.Linear(8, 3),
    "loss": nn.CrossEntropyLoss(weight=inverse_frequency(labels_np, 3)),
}
for i in range(0, 60, 20):
    loss = parts["loss"](parts["net"](features[i:i + 20]), targets[i:i + 20])
    loss.backward()
print("done", loss.item())
