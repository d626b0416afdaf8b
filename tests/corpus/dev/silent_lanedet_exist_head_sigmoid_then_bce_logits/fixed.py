import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

NUM_LANES = 4            # lane classes besides background
IMG_H, IMG_W = 72, 200


class ExistHead(nn.Module):
    """Lane-existence branch (SCNN/RESA style): one probability per lane."""
    def __init__(self, in_ch=32, num_classes=NUM_LANES + 1):
        super().__init__()
        self.dropout = nn.Dropout2d(0.1)
        self.conv8 = nn.Conv2d(in_ch, num_classes, 1)
        self.fc9 = nn.Linear(num_classes * (IMG_H // 8 // 2) * (IMG_W // 8 // 2), 128)
        self.fc10 = nn.Linear(128, num_classes - 1)

    def forward(self, x):
        x = self.dropout(x)
        x = self.conv8(x)
        x = F.softmax(x, dim=1)
        x = F.avg_pool2d(x, 2, stride=2, padding=0)
        x = x.view(-1, x.numel() // x.shape[0])
        x = F.relu(self.fc9(x))
        x = self.fc10(x)
        x = x if self.training else torch.sigmoid(x)
        return x


class LaneNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, 2, 1), nn.ReLU())
        self.seg_head = nn.Conv2d(32, NUM_LANES + 1, 1)
        self.exist = ExistHead()

    def forward(self, img):
        fea = self.backbone(img)                                 # [B, 32, H/8, W/8]
        seg = F.interpolate(self.seg_head(fea), size=img.shape[2:], mode='bilinear', align_corners=False)
        return {'seg': seg, 'exist': self.exist(fea)}


class LaneSeg(nn.Module):
    def __init__(self):
        super().__init__()
        self.criterion = nn.NLLLoss()
        self.criterion_exist = nn.BCEWithLogitsLoss()

    def forward(self, output, batch):
        seg_loss = self.criterion(F.log_softmax(output['seg'], dim=1), batch['label'])
        exist_loss = self.criterion_exist(output['exist'], batch['exist'].float())
        return seg_loss + 0.1 * exist_loss


images = torch.randn(16, 3, IMG_H, IMG_W)
labels = torch.randint(0, NUM_LANES + 1, (16, IMG_H, IMG_W))
exists = torch.randint(0, 2, (16, NUM_LANES))
net, loss_fn = LaneNet(), LaneSeg()
optimizer = torch.optim.SGD(net.parameters(), lr=0.02, momentum=0.9)
for epoch in range(2):
    for i in range(0, 16, 4):
        batch = {'img': images[i:i + 4], 'label': labels[i:i + 4], 'exist': exists[i:i + 4]}
        loss = loss_fn(net(batch['img']), batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
net.eval()
with torch.no_grad():
    lane_present = net(images[:4])['exist'] > 0.5
print('lanes present', lane_present.int().tolist())
