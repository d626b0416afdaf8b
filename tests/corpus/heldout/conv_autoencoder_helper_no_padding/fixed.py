import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


def conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 5, padding=2), nn.ReLU())


def deconv(cin, cout, last=False):
    act = nn.Sigmoid() if last else nn.ReLU()
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 2, stride=2), act)


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(conv(3, 16), nn.MaxPool2d(2), conv(16, 32), nn.MaxPool2d(2),
                                     conv(32, 32), conv(32, 32))
        self.decoder = nn.Sequential(deconv(32, 16), deconv(16, 3, last=True))

    def forward(self, x):
        return self.decoder(self.encoder(x))


images = torch.rand(64, 3, 32, 32)   # CIFAR-10 sized
loader = DataLoader(TensorDataset(images), batch_size=16, shuffle=True)
net = AutoEncoder()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

for epoch in range(2):
    running = 0.0
    for (inputs,) in loader:
        outputs = net(inputs)
        loss = criterion(outputs, inputs)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
    print('epoch %d loss %.4f' % (epoch, running / len(loader)))
