"""100 samples in batches of 32 with a model that flattens per sample: the last batch of 4 is fine."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(46)


class PerSample(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        return self.fc(x.view(x.size(0), -1))


loader = DataLoader(TensorDataset(torch.randn(100, 1, 8, 8), torch.randint(0, 10, (100,))),
                    batch_size=32, shuffle=True)
model = PerSample()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for xb, yb in loader:
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print(loss.item())
