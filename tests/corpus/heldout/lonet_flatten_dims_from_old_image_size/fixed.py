import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

IMG_H, IMG_W = 64, 200


def down(h):
    return -(-h // 16)


class LONet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(4, 8, 3, 2, 1), nn.ReLU(), nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(), nn.Conv2d(32, 32, 3, 2, 1), nn.ReLU())
        self.fc = nn.Linear(32 * down(IMG_H) * down(IMG_W), 64)
        self.fc_x = nn.Linear(64, 3)
        self.fc_q = nn.Linear(64, 4)

    def forward(self, curr, prev):
        f = self.encoder(torch.cat([curr, prev], dim=1))
        h = F.relu(self.fc(f.flatten(1)))
        return self.fc_x(h), F.normalize(self.fc_q(h), dim=1)


class KittiProjections(Dataset):
    """Consecutive LiDAR scans projected to 2-channel range/intensity images of 64 x 200."""
    def __init__(self, n=8):
        self.scans = torch.rand(n + 1, 2, 64, 200)
        self.poses = torch.randn(n, 7)

    def __len__(self):
        return len(self.poses)

    def __getitem__(self, i):
        return self.scans[i + 1], self.scans[i], self.poses[i]


model = LONet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
train_dataloader = DataLoader(KittiProjections(), batch_size=4, shuffle=True)
for epoch in range(2):
    for curr_img, prev_img, pose_gt in train_dataloader:
        x_out, q_out = model(curr_img, prev_img)
        loss = F.mse_loss(x_out, pose_gt[:, :3]) + F.mse_loss(q_out, pose_gt[:, 3:])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
