import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

IMG_SIZE = 128
config = {
    'hidden_size': 32,
    'grid_size': (IMG_SIZE // 16, IMG_SIZE // 16),
    'n_classes': 4,
}


class CNNEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.s1 = nn.Sequential(nn.Conv2d(1, 8, 3, 2, 1), nn.ReLU())     # /2
        self.s2 = nn.Sequential(nn.Conv2d(8, 16, 3, 2, 1), nn.ReLU())    # /4
        self.s3 = nn.Sequential(nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU())   # /8

    def forward(self, x):
        f1 = self.s1(x)
        f2 = self.s2(f1)
        f3 = self.s3(f2)
        return f3, [f2, f1]


class TransUNetLite(nn.Module):
    def __init__(self, config):
        super().__init__()
        gh, gw = config['grid_size']
        hid = config['hidden_size']
        self.grid = (gh, gw)
        self.encoder = CNNEncoder()
        self.patch_embeddings = nn.Conv2d(32, hid, kernel_size=2, stride=2)          # /16
        self.position_embeddings = nn.Parameter(torch.zeros(1, (IMG_SIZE // 16) ** 2, hid))
        self.block = nn.TransformerEncoderLayer(hid, 4, 64, batch_first=True)
        self.up = nn.Upsample(scale_factor=4, mode='bilinear', align_corners=False)
        self.dec1 = nn.Conv2d(hid + 16, 16, 3, padding=1)
        self.dec2 = nn.Conv2d(16 + 8, 8, 3, padding=1)
        self.head = nn.Conv2d(8, config['n_classes'], 1)

    def forward(self, x):
        f, skips = self.encoder(x)
        tokens = self.patch_embeddings(f).flatten(2).transpose(1, 2)               # [B, n_patches, hid]
        tokens = self.block(tokens + self.position_embeddings)
        B, n_patch, hid = tokens.size()
        h, w = self.grid
        x = tokens.transpose(1, 2).reshape(B, hid, h, -1)
        x = self.up(x)
        x = torch.cat([x, skips[0]], dim=1)
        x = F.relu(self.dec1(x))
        x = torch.cat([F.interpolate(x, scale_factor=2), skips[1]], dim=1)
        x = F.relu(self.dec2(x))
        return F.interpolate(self.head(x), scale_factor=2)


model = TransUNetLite(config)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
image = torch.rand(2, 1, IMG_SIZE, IMG_SIZE)
label = torch.randint(0, config['n_classes'], (2, IMG_SIZE, IMG_SIZE))
for it in range(2):
    outputs = model(image)
    loss = F.cross_entropy(outputs, label)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
