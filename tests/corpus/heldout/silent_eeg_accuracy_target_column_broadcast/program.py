import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class EEGPatchClassifier(nn.Module):
    def __init__(self, n_channels=16, n_classes=3):
        super().__init__()
        self.temporal = nn.Conv1d(n_channels, 32, kernel_size=15, stride=4)
        self.norm = nn.GroupNorm(4, 32)
        self.head = nn.Linear(32, n_classes)

    def forward(self, x):                                    # [B, channels, time]
        h = F.gelu(self.norm(self.temporal(x)))
        return self.head(h.mean(dim=-1))


signals = torch.randn(256, 16, 200)
targets = torch.randint(0, 3, (256, 1))                      # one label per trial, stored as a column
loader = DataLoader(TensorDataset(signals, targets), batch_size=64, shuffle=True)

model = EEGPatchClassifier()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
for epoch in range(2):
    for samples, targets_b in loader:
        output = model(samples)                              # [64, 3]
        loss = F.cross_entropy(output, targets_b.squeeze(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        class_acc = (output.max(-1)[-1] == targets_b).float().mean()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'class_acc', round(class_acc.item(), 4))
