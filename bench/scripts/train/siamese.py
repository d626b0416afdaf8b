"""pytorch/examples siamese_network: a shared CNN tower on image pairs, BCE on the joint head."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class SiameseNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(16, 32, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
        self.sigmoid = nn.Sigmoid()

    def forward(self, a, b):
        out = torch.cat((self.cnn(a), self.cnn(b)), 1)
        return self.sigmoid(self.fc(out))


a, b = torch.randn(512, 1, 28, 28), torch.randn(512, 1, 28, 28)
same = torch.randint(0, 2, (512,)).float()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(a, b, same), batch_size=64, shuffle=True)
model = SiameseNetwork()
criterion = nn.BCELoss()
optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
for epoch in range(2):
    for x1, x2, t in loader:
        optimizer.zero_grad()
        loss = criterion(model(x1, x2).squeeze(1), t)
        loss.backward()
        optimizer.step()
print("loss", loss.item())
