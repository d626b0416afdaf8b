import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(9)


class ContextBlock(nn.Module):
    """Global context from a coarse average pool, added back at full resolution."""

    def __init__(self, ch, window=4):
        super().__init__()
        self.window = window
        self.proj = nn.Conv2d(ch, ch, 1)

    def forward(self, x):
        ctx = self.proj(F.avg_pool2d(x, self.window))
        return x + F.interpolate(ctx, size=x.shape[-2:], mode="nearest")


class SaliencyNet(nn.Module):
    def __init__(self, widths=(12, 24, 24)):
        super().__init__()
        chans = (3,) + tuple(widths)
        self.stem = nn.Sequential(*[
            nn.Sequential(nn.Conv2d(chans[i], chans[i + 1], 3, stride=2, padding=1), nn.ReLU())
            for i in range(len(widths))])                     # stride 8
        self.context = ContextBlock(widths[-1])
        self.out = nn.Conv2d(widths[-1], 1, 1)

    def forward(self, img):
        h = self.context(self.stem(img))
        return F.interpolate(self.out(h), size=img.shape[-2:], mode="bilinear", align_corners=False)


def load_test_set():
    # decoded photos, channels first, no batch axis
    return [torch.rand(3, 96, 128), torch.rand(3, 96, 24), torch.rand(3, 64, 64)]


model = SaliencyNet().eval()
with torch.no_grad():
    for img in load_test_set():
        batch = F.interpolate(img.unsqueeze(0), scale_factor=max(1.0, 32 / min(img.shape[1:])), mode='bilinear', align_corners=False)
        sal = model(batch).sigmoid()
        print(tuple(img.shape), "->", tuple(sal.shape))
