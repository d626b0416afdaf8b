import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def conv_bn_relu(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Encoder(nn.Module):
    """Five stride-2 stages, like a ResNet encoder: features at 1/2 ... 1/32."""

    def __init__(self, channels=(8, 16, 24, 32, 48)):
        super().__init__()
        chans = (3,) + channels
        self.stages = nn.ModuleList([conv_bn_relu(chans[i], chans[i + 1], stride=2) for i in range(5)])

    def forward(self, x):
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features


class DecoderBlock(nn.Module):
    def __init__(self, in_channels, skip_channels, out_channels):
        super().__init__()
        self.conv1 = conv_bn_relu(in_channels + skip_channels, out_channels)
        self.conv2 = conv_bn_relu(out_channels, out_channels)

    def forward(self, x, skip=None):
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        return self.conv2(self.conv1(x))


class Unet(nn.Module):
    def __init__(self, classes=1):
        super().__init__()
        self.encoder = Encoder()
        self.blocks = nn.ModuleList([DecoderBlock(48, 32, 32), DecoderBlock(32, 24, 24),
                                     DecoderBlock(24, 16, 16), DecoderBlock(16, 8, 8)])
        self.head = nn.Conv2d(8, classes, 3, padding=1)

    def forward(self, img):
        f = self.encoder(img)
        x = f[-1]
        for block, skip in zip(self.blocks, reversed(f[:-1])):
            x = block(x, skip)
        return F.interpolate(self.head(x), size=img.shape[-2:], mode="bilinear", align_corners=False)


model = Unet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(2):
    img = torch.rand(2, 3, 129, 129)                 # tiles cut with a 1-pixel overlap
    mask = (torch.rand(2, 1, 129, 129) > 0.5).float()
    loss = F.binary_cross_entropy_with_logits(model(img), mask)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print('step', step, 'loss', round(loss.item(), 4))
