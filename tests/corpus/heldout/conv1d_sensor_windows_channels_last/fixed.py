import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

# accelerometer windows exported from pandas: (n_windows, timesteps, axes x/y/z)
n, T = 708, 256
t = np.linspace(0, 8 * np.pi, T)
labels_np = rng.integers(0, 4, n)
X_np = np.stack([np.sin(t[None] * (1 + labels_np[:, None]) + rng.normal(size=(n, 1))) for _ in range(3)], -1)
X_np = (X_np + 0.3 * rng.normal(size=X_np.shape)).astype(np.float32)

X_train = torch.from_numpy(X_np).permute(0, 2, 1)
y_train = torch.from_numpy(labels_np)


class HARNet(nn.Module):
    def __init__(self, n_axes=3, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(n_axes, 24, 5), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 48, 5), nn.ReLU(), nn.AdaptiveMaxPool1d(1))
        self.classifier = nn.Linear(48, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x).squeeze(-1))


model = HARNet()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(20):
    out = model(X_train)
    loss = loss_fn(out, y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
acc = (model(X_train).argmax(1) == y_train).float().mean().item()
print('final loss', round(loss.item(), 4), 'train acc', round(acc, 3))
