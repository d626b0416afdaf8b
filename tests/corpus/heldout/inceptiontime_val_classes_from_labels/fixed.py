import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

N_CLASSES = 5
SERIES_LEN = 64


def to_categorical(y):
    return F.one_hot(y, N_CLASSES).float()


class InceptionModule(nn.Module):
    def __init__(self, cin, nf=8):
        super().__init__()
        self.bottleneck = nn.Conv1d(cin, nf, 1)
        self.convs = nn.ModuleList(nn.Conv1d(nf, nf, k, padding=k // 2) for k in (9, 19, 39))
        self.pool_conv = nn.Sequential(nn.MaxPool1d(3, 1, 1), nn.Conv1d(cin, nf, 1))
        self.bn = nn.BatchNorm1d(nf * 4)

    def forward(self, x):
        b = self.bottleneck(x)
        return F.relu(self.bn(torch.cat([c(b) for c in self.convs] + [self.pool_conv(x)], dim=1)))


class InceptionTime(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.blocks = nn.Sequential(InceptionModule(1), InceptionModule(32))
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.blocks(x).mean(dim=2))


X_train = torch.randn(40, 1, SERIES_LEN)
y_train = torch.arange(40) % N_CLASSES
X_val = torch.randn(12, 1, SERIES_LEN)
y_val = torch.arange(12) % 4                      # the validation split has no sample of class 4

model = InceptionTime(N_CLASSES)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()
for epoch in range(2):
    model.train()
    loss = criterion(model(X_train), to_categorical(y_train))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(X_val), to_categorical(y_val))
    print('epoch', epoch, 'loss', loss.item(), 'val_loss', val_loss.item())
