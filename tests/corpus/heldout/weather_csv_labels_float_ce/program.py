import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

CLASSES = ['cloudy', 'rain', 'shine', 'sunrise']


class WeatherSet(Dataset):
    """Each row of the annotation table: 3x24x24 pixel values followed by the class id."""
    def __init__(self, n=40):
        pixels = torch.rand(n, 3 * 24 * 24)
        ids = torch.randint(0, len(CLASSES), (n, 1)).float()
        self.table = torch.cat([pixels, ids], dim=1)

    def __len__(self):
        return len(self.table)

    def __getitem__(self, i):
        row = torch.tensor(self.table[i].tolist(), dtype=torch.float32)
        image = row[:-1].view(3, 24, 24)
        label = row[-1]
        return image, label


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(16 * 6 * 6, len(CLASSES))

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


model = Net()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
train_dl = DataLoader(WeatherSet(), batch_size=8, shuffle=True)
for epoch in range(2):
    for x, y in train_dl:
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
