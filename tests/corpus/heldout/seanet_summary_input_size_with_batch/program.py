from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def summary(model, input_size, batch_size=-1):
    """torchsummary-style report: input_size is one sample's shape; a batch of 2 is prepended."""
    rows = OrderedDict()

    def hook(module, inp, out):
        name = f'{module.__class__.__name__}-{len(rows) + 1}'
        rows[name] = (list(out.shape), sum(p.numel() for p in module.parameters(recurse=False)))

    handles = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    x = torch.rand(2, *input_size)
    model.eval()
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    for name, (shape, n) in rows.items():
        print(f'{name:>24} {str(shape):>24} {n:>10,}')
    print('Total params:', sum(p.numel() for p in model.parameters()))


class SEANet(nn.Module):
    """VGG encoder with an edge branch and a segmentation branch (field boundaries / extents)."""

    def __init__(self, num_classes=1, widths=(8, 16, 32)):
        super().__init__()
        self.activ = nn.ReLU(inplace=True)
        self.conv1_1 = nn.Conv2d(3, widths[0], 3, padding=1)
        self.conv1_2 = nn.Conv2d(widths[0], widths[0], 3, padding=1)
        self.conv2_1 = nn.Conv2d(widths[0], widths[1], 3, padding=1)
        self.conv3_1 = nn.Conv2d(widths[1], widths[2], 3, padding=1)
        self.edge = nn.Conv2d(widths[0] + widths[1] + widths[2], 1, 1)
        self.seg = nn.Conv2d(widths[0] + widths[1] + widths[2] + 1, num_classes, 3, padding=1)

    def forward(self, x):
        img_H, img_W = x.shape[2], x.shape[3]
        conv1_1 = self.activ(self.conv1_1(x))
        conv1 = self.activ(self.conv1_2(conv1_1))
        conv2 = self.activ(self.conv2_1(F.max_pool2d(conv1, 2)))
        conv3 = self.activ(self.conv3_1(F.max_pool2d(conv2, 2)))
        feats = torch.cat([conv1, F.interpolate(conv2, size=(img_H, img_W), mode='bilinear', align_corners=False),
                           F.interpolate(conv3, size=(img_H, img_W), mode='bilinear', align_corners=False)], 1)
        edge = self.edge(feats)
        return self.seg(torch.cat([feats, torch.sigmoid(edge)], 1)), edge


model = SEANet(num_classes=1)
summary(model, (8, 3, 512, 512))
