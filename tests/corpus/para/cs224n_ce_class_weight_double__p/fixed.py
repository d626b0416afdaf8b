import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(6)
rng = np.random.default_rng(6)

N_SAMPLES, N_FEATURES, N_CLASSES = 150, 20, 4


def balanced_weights(y, n_classes):
    counts = np.bincount(y, minlength=n_classes)
    w = len(y) / (n_classes * np.maximum(counts, 1))
    return torch.from_numpy(w).float()


X = torch.tensor(rng.normal(size=(N_SAMPLES, N_FEATURES)), dtype=torch.float32)
y_np = rng.choice(N_CLASSES, size=N_SAMPLES, p=[0.55, 0.25, 0.15, 0.05])
y = torch.from_numpy(y_np).long()

setup = {
    "model": nn.Sequential(nn.Linear(N_FEATURES, 32), nn.ReLU(), nn.Linear(32, N_CLASSES)),
    "criterion": nn.CrossEntropyLoss(weight=balanced_weights(y_np, N_CLASSES)),
}
opt = torch.optim.Adam(setup["model"].parameters(), lr=1e-2)
for epoch in range(3):
    perm = torch.randperm(N_SAMPLES)
    for start in range(0, N_SAMPLES, 25):
        idx = perm[start:start + 25]
        logits = setup["model"](X[idx])
        loss = setup["criterion"](logits, y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
