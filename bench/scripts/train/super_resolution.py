"""pytorch/examples super_resolution: convs and PixelShuffle, MSE, Adam."""
import torch
import torch.nn as nn

torch.manual_seed(123)
upscale = 3


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 32, 5, 1, 2)
        self.conv2 = nn.Conv2d(32, 32, 3, 1, 1)
        self.conv3 = nn.Conv2d(32, 16, 3, 1, 1)
        self.conv4 = nn.Conv2d(16, upscale_factor ** 2, 3, 1, 1)
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))


lr_imgs = torch.rand(160, 1, 32, 32)
hr_imgs = torch.rand(160, 1, 32 * upscale, 32 * upscale)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(lr_imgs, hr_imgs), batch_size=16, shuffle=True)
model = Net(upscale)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(2):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
print("loss", loss.item())
