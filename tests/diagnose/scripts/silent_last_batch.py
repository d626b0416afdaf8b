"""The forward pass hard-codes the batch size: 100 samples in batches of 32 end with a batch of 4."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(25)


class Fixed32(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = x.view(32, -1)
        return self.fc(x)


digits = torch.randn(100, 1, 8, 8)
labels = torch.randint(0, 10, (100,))
loader = DataLoader(TensorDataset(digits, labels), batch_size=32, shuffle=True)
model = Fixed32()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for xb, yb in loader:
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
