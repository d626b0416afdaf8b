import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class ECGNet(nn.Module):
    def __init__(self, leads=12, n_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(leads, 32, kernel_size=7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, kernel_size=5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, kernel_size=3, padding=1), nn.BatchNorm1d(64), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):                                     # [N, leads, samples]
        return self.fc(self.pool(self.features(x)).squeeze(-1))


model = ECGNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
windows = torch.randn(64, 12, 500)
rhythm = torch.randint(0, 5, (64,))
for epoch in range(3):
    model.train()
    for i in range(0, 64, 16):
        loss = F.cross_entropy(model(windows[i:i + 16]), rhythm[i:i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
model.eval()
with torch.no_grad():
    print('loss', loss.item(), 'eval logits', model(windows[:3]).shape)
