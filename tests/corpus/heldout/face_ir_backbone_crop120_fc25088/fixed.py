import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

RAW_SIZE = 128     # aligned face crops stored at 128x128
CROP_SIZE = 112    # train-time crop
NUM_IDS = 10


class FaceDataset(Dataset):
    def __init__(self, n=16):
        self.imgs = torch.rand(n, 3, RAW_SIZE, RAW_SIZE)
        self.labels = torch.randint(0, NUM_IDS, (n,))

    def __len__(self):
        return len(self.imgs)

    def __getitem__(self, i):
        off = (RAW_SIZE - CROP_SIZE) // 2
        img = self.imgs[i, :, off:off + CROP_SIZE, off:off + CROP_SIZE]
        return (img - 0.5) / 0.5, self.labels[i]


def ir_block(cin, cout):
    return nn.Sequential(
        nn.BatchNorm2d(cin),
        nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.PReLU(cout),
    )


class ResNetIR(nn.Module):
    """IR backbone for 112x112 faces: four stride-2 stages, 512 x 7 x 7 feature map."""
    def __init__(self, feature_dim=512, drop_ratio=0.4):
        super().__init__()
        self.input_layer = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.PReLU(64))
        self.body = nn.Sequential(ir_block(64, 64), ir_block(64, 128), ir_block(128, 256), ir_block(256, 512))
        self.output_layer = nn.Sequential(
            nn.BatchNorm2d(512),
            nn.Dropout(drop_ratio),
            nn.Flatten(),
            nn.Linear(512 * 7 * 7, feature_dim),
            nn.BatchNorm1d(feature_dim),
        )

    def forward(self, x):
        x = self.input_layer(x)
        x = self.body(x)
        x = self.output_layer(x)
        return x


class ArcMarginProduct(nn.Module):
    def __init__(self, in_feature, out_feature, s=32.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_feature, in_feature) * 0.01)
        self.s = s

    def forward(self, x):
        return self.s * F.linear(F.normalize(x), F.normalize(self.weight))


net = ResNetIR()
margin = ArcMarginProduct(512, NUM_IDS)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(list(net.parameters()) + list(margin.parameters()), lr=0.1, momentum=0.9)
loader = DataLoader(FaceDataset(), batch_size=4, shuffle=True)

for epoch in range(1):
    for img, label in loader:
        raw_logits = margin(net(img))
        loss = criterion(raw_logits, label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
