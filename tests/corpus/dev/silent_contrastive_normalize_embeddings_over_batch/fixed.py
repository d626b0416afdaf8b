import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class SpecEncoder(nn.Module):
    def __init__(self, rep_dim=128, proj_dim=64):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, rep_dim))
        self.head = nn.Sequential(nn.Linear(rep_dim, rep_dim), nn.ReLU(), nn.Linear(rep_dim, proj_dim))

    def forward(self, x):
        y_rep = self.features(x)
        return F.normalize(self.head(y_rep), dim=1)            # [B, proj_dim] on the unit sphere


def nt_xent(z1, z2, temperature=0.1):
    logits = z1 @ z2.t() / temperature                         # cosine similarities of all pairs
    labels = torch.arange(z1.size(0))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


model = SpecEncoder()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
specs = torch.randn(32, 1, 64, 64)                             # log-mel clips
for step in range(5):
    view1 = specs + 0.1 * torch.randn_like(specs)
    view2 = torch.roll(specs, shifts=3, dims=-1)
    loss = nt_xent(model(view1), model(view2))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
