# A detection head sized for 80 classes on a 4-class dataset: its view into
# [batch, anchors, 5 + classes, H, W] cannot fit. Flattening per sample would break the permute
# on the same line, so no such fix may be offered.
import torch
import torch.nn as nn

torch.manual_seed(0)
ANCHORS, CLASSES = 3, 4


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Conv2d(3, 16, 3, stride=4, padding=1)
        self.pred = nn.Conv2d(16, 255, 1)

    def forward(self, x):
        p = self.pred(torch.relu(self.body(x)))
        b, _, h, w = p.shape
        return p.view(b, ANCHORS, 5 + CLASSES, h, w).permute(0, 1, 3, 4, 2)


model = Head()
out = model(torch.randn(2, 3, 64, 64))
print(out.shape)
