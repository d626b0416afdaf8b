# grey images [B, H, W] get their channel axis in a helper, on the wrong side of the batch
import torch
import torch.nn as nn

torch.manual_seed(13)


def with_channel(images):
    return images.unsqueeze(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 12 * 12, 3)

    def forward(self, images):
        x = with_channel(images)
        return self.fc(torch.relu(self.conv(x)).flatten(1))


net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for step in range(2):
    images = torch.randn(6, 12, 12)
    loss = nn.functional.cross_entropy(net(images), torch.randint(0, 3, (6,)))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
