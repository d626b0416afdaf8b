import torch
import torch.nn as nn
import torch.nn.init as init

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 64, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(64, 64, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(64, 32, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(32, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))


upscale_factor = 3
model = Net(upscale_factor=upscale_factor)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
target = torch.rand(8, 1, 96, 96)                             # high-resolution Y channel crops
inputs = nn.functional.avg_pool2d(target, upscale_factor)    # [8, 1, 32, 32]
for epoch in range(3):
    loss = criterion(model(inputs), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 5), 'PSNR', round(10 * torch.log10(1 / loss).item(), 2))
