import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)

N, SIZE = 12, 40

scans = torch.randn(N, 1, SIZE, SIZE)
# binary lesion masks, one per scan
masks = (torch.rand(N, SIZE, SIZE) > 0.8).float().unsqueeze(1)


class LesionSegmenter(nn.Module):
    def __init__(self, ch=10):
        super().__init__()
        self.down = nn.Conv2d(1, ch, 3, stride=2, padding=1)
        self.mid = nn.Conv2d(ch, ch, 3, padding=1)
        self.up = nn.ConvTranspose2d(ch, ch, 2, stride=2)
        self.logit = nn.Conv2d(ch, 1, 1)

    def forward(self, x):
        h = F.relu(self.down(x))
        h = F.relu(self.mid(h))
        return self.logit(F.relu(self.up(h)))


model = LesionSegmenter()
loader = DataLoader(TensorDataset(scans, masks), batch_size=4, shuffle=True)
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(4.0))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for scan, mask in loader:
        loss = criterion(model(scan), mask)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
