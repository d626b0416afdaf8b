import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

IMAGE_SIZE = 224
NUM_ATTRS = 26


class GCNResnet(nn.Module):
    def __init__(self, num_classes=NUM_ATTRS, in_channel=16):
        super().__init__()
        layers, cin = [], 3
        for cout in (8, 16, 32, 48, 64):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1), nn.BatchNorm2d(cout), nn.ReLU()]
            cin = cout
        self.features = nn.Sequential(*layers)              # stride 32
        self.pooling = nn.MaxPool2d(14, 14)
        self.gc1 = nn.Linear(in_channel, 32)
        self.gc2 = nn.Linear(32, 64)
        self.A = nn.Parameter(torch.eye(num_classes), requires_grad=False)

    def forward(self, feature, inp):
        feature = self.features(feature)
        feature = self.pooling(feature)
        feature = feature.view(feature.size(0), -1)          # [B, 64]
        x = F.leaky_relu(self.A @ self.gc1(inp[0]), 0.2)
        x = self.A @ self.gc2(x)                             # [num_classes, 64]
        return feature @ x.t()


def transform(img):
    return F.interpolate(img[None], size=(IMAGE_SIZE, IMAGE_SIZE), mode='bilinear', align_corners=False)


model = GCNResnet().eval()
word_vecs = torch.randn(1, NUM_ATTRS, 16)                   # attribute word embeddings
img = torch.rand(3, 300, 120)                                # a pedestrian crop
img_trans = transform(img)
with torch.no_grad():
    score = torch.sigmoid(model(img_trans, word_vecs))
print('attributes present:', (score > 0.5).nonzero()[:, 1].tolist())
