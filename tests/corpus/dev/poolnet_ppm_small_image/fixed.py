import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class PPM(nn.Module):
    def __init__(self, ch, pools=(2, 4, 8)):
        super().__init__()
        self.pools = pools
        self.convs = nn.ModuleList(nn.Conv2d(ch, ch, 3, 1, 1, bias=False) for _ in pools)

    def forward(self, x):
        size = x.shape[2:]
        out = x
        for k, conv in zip(self.pools, self.convs):
            y = conv(F.avg_pool2d(x, kernel_size=k, stride=k))
            out = out + F.interpolate(y, size, mode='bilinear', align_corners=True)
        return F.relu(out)


class PoolNetLite(nn.Module):
    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for cout in (16, 32, 32, 64):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1), nn.ReLU()]
            cin = cout
        self.base = nn.Sequential(*layers)                 # stride 16
        self.ppm = PPM(64)
        self.score = nn.Conv2d(64, 1, 1)

    def forward(self, x):
        size = x.shape[2:]
        f = self.ppm(self.base(x))
        return F.interpolate(self.score(f), size, mode='bilinear', align_corners=True)


net = PoolNetLite().eval()
test_images = [torch.rand(1, 3, 120, 160), torch.rand(1, 3, 120, 40)]
with torch.no_grad():
    for image in test_images:
        images = F.interpolate(image, scale_factor=max(1.0, 128 / min(image.shape[2:])), mode='bilinear', align_corners=False)
        preds = torch.sigmoid(net(images))
        print(tuple(image.shape), '->', tuple(preds.shape))
