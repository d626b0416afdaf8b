import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class AgeGenderNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.age_head = nn.Linear(32, 1)
        self.gender_head = nn.Linear(32, 2)

    def forward(self, x):
        h = self.backbone(x)
        return self.age_head(h).squeeze(1), self.gender_head(h)   # [B], [B, 2]


model = AgeGenderNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
faces = torch.randn(64, 3, 48, 48)
ages = torch.randint(1, 90, (64,)).float()                     # [64]
genders = torch.randint(0, 2, (64,))                           # [64]
for epoch in range(3):
    for i in range(0, 64, 16):
        age_pred, gender_logits = model(faces[i:i + 16])
        loss_age = F.l1_loss(age_pred, ages[i:i + 16] / 100)
        loss_gender = F.cross_entropy(gender_logits, genders[i:i + 16])
        loss = loss_age + 0.5 * loss_gender
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    mae = (age_pred * 100 - ages[i:i + 16]).abs().mean()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'age MAE', round(mae.item(), 1))
