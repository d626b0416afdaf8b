import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

# 120 trials of 250 samples x 8 electrodes, each electrode with its own offset and scale
trials = torch.randn(120, 250, 8) * torch.linspace(1, 20, 8) + torch.linspace(-5, 5, 8)   # (trial, time, channels)
labels = torch.randint(0, 4, (120,))

# per-trial standardisation
trials = (trials - trials.mean(dim=2, keepdim=True)) / trials.std(dim=2, keepdim=True)


class ShallowNet(nn.Module):
    def __init__(self, n_channels=8, n_classes=4):
        super().__init__()
        self.temporal = nn.Conv1d(n_channels, 20, kernel_size=25)
        self.bn = nn.BatchNorm1d(20)
        self.pool = nn.AvgPool1d(75, stride=15)
        self.fc = nn.LazyLinear(n_classes)

    def forward(self, x):                                     # (batch, time, channels)
        x = self.temporal(x.permute(0, 2, 1))                 # conv wants (batch, channels, time)
        x = self.pool(torch.square(self.bn(x)))
        return self.fc(torch.log(torch.clamp(x, min=1e-6)).flatten(1))


model = ShallowNet()
model(trials[:2])
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for epoch in range(3):
    for i in range(0, 120, 40):
        loss = F.cross_entropy(model(trials[i:i + 40]), labels[i:i + 40])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
