"""A feature extractor on 22x22 crops: the flatten size was copied from a 28x28 version."""
import torch
import torch.nn as nn

torch.manual_seed(3)


class Extractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(32 * 6 * 6, 5)

    def forward(self, x):
        x = self.features(x)
        x = x.reshape(-1, 32 * 6 * 6)
        return self.classifier(x)


model = Extractor()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crops = torch.randn(8, 1, 22, 22)
target = torch.randint(0, 5, (8,))
for it in range(3):
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(crops), target)
    loss.backward()
    opt.step()
print("loss", loss.item())
