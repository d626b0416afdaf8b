import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(4)


class LeafSegmentation(Dataset):
    """Photos come at whatever size the camera produced."""

    def __init__(self, n=10, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.shapes = [(int(h), int(w)) for h, w in torch.randint(40, 90, (n, 2), generator=g)]

    def __len__(self):
        return len(self.shapes)

    def __getitem__(self, i):
        h, w = self.shapes[i]
        image = torch.rand(3, h, w)
        mask = (image.mean(0, keepdim=True) > 0.5).float()
        return image, mask


class TinySegNet(nn.Module):
    def __init__(self, base=6):
        super().__init__()
        self.enc1 = nn.Conv2d(3, base, 3, padding=1)
        self.enc2 = nn.Conv2d(base, base * 2, 3, padding=1)
        self.dec = nn.Conv2d(base * 2, 1, 1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.enc1(x)), 2)
        x = F.max_pool2d(F.relu(self.enc2(x)), 2)
        x = F.interpolate(x, scale_factor=4, mode="bilinear", align_corners=False)
        return self.dec(x)


model = TinySegNet()
loader = DataLoader(LeafSegmentation(), batch_size=5, shuffle=True)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for image, mask in loader:
        loss = F.binary_cross_entropy_with_logits(model(image), mask)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
