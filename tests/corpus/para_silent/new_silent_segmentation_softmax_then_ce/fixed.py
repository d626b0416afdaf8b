import torch
import torch.nn as nn

torch.manual_seed(0)


class TinyFCN(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
                                 nn.Conv2d(16, 16, 3, padding=1), nn.ReLU())
        self.classifier = nn.Conv2d(16, n_classes, 1)

    def forward(self, x):
        x = self.enc(x)
        return self.classifier(x)


model = TinyFCN()
criterion = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
imgs, masks = torch.randn(6, 3, 32, 32), torch.randint(0, 4, (6, 32, 32))
for step in range(3):
    loss = criterion(model(imgs), masks)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
