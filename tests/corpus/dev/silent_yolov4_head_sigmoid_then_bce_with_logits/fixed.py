import torch
import torch.nn as nn

torch.manual_seed(0)

NUM_CLASSES = 20
NUM_ANCHORS = 3


class YoloHead(nn.Module):
    def __init__(self, nC, stride, anchors):
        super().__init__()
        self.nC, self.nA, self.stride = nC, len(anchors), stride
        self.register_buffer('anchors', torch.tensor(anchors, dtype=torch.float32) / stride)

    def forward(self, p):
        bs, nG = p.shape[0], p.shape[-1]
        p = p.view(bs, self.nA, 5 + self.nC, nG, nG).permute(0, 3, 4, 1, 2)   # [bs, G, G, A, 5+C]
        return p, self.decode(p.clone())

    def decode(self, p):
        conv_raw_dxdy, conv_raw_dwdh = p[..., 0:2], p[..., 2:4]
        conv_raw_conf, conv_raw_prob = p[..., 4:5], p[..., 5:]
        nG = p.shape[1]
        y, x = torch.meshgrid(torch.arange(nG), torch.arange(nG), indexing='ij')
        grid = torch.stack([x, y], dim=-1).unsqueeze(2).float()                 # [G, G, 1, 2]
        pred_xy = (torch.sigmoid(conv_raw_dxdy) + grid) * self.stride
        pred_wh = torch.exp(conv_raw_dwdh).clamp(max=1e3) * self.anchors * self.stride
        pred_conf = conv_raw_conf
        pred_prob = conv_raw_prob
        return torch.cat([pred_xy, pred_wh, pred_conf, pred_prob], dim=-1)


class TinyYolo(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2, 1), nn.LeakyReLU(0.1), nn.Conv2d(16, 32, 3, 2, 1), nn.LeakyReLU(0.1),
            nn.Conv2d(32, 64, 3, 2, 1), nn.LeakyReLU(0.1), nn.Conv2d(64, 64, 3, 2, 1), nn.LeakyReLU(0.1))
        self.out = nn.Conv2d(64, NUM_ANCHORS * (5 + NUM_CLASSES), 1)
        self.head = YoloHead(NUM_CLASSES, 16, [(10, 13), (16, 30), (33, 23)])

    def forward(self, x):
        return self.head(self.out(self.backbone(x)))


class YoloV4Loss(nn.Module):
    def __init__(self):
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss(reduction='none')

    def forward(self, p, p_d, label):
        obj_mask = label[..., 4:5]
        pred_conf, pred_cls = p_d[..., 4:5], p_d[..., 5:]
        label_cls = label[..., 5:]
        loss_box = (obj_mask * (p_d[..., 0:4] - label[..., 0:4]) ** 2 / 256.0).sum()
        loss_conf = self.bce(pred_conf, obj_mask).sum()
        loss_cls = (obj_mask * self.bce(pred_cls, label_cls)).sum()
        return (loss_box + loss_conf + loss_cls) / p.shape[0]


images = torch.randn(16, 3, 128, 128)
labels = torch.zeros(16, 8, 8, NUM_ANCHORS, 5 + NUM_CLASSES)
for b in range(16):                                    # two objects per image, assigned to one cell/anchor
    for _ in range(2):
        gy, gx, a = torch.randint(0, 8, (2,)).tolist() + [int(torch.randint(0, 3, (1,)))]
        labels[b, gy, gx, a, 0:2] = torch.tensor([gx * 16 + 8.0, gy * 16 + 8.0])
        labels[b, gy, gx, a, 2:4] = torch.tensor([20.0, 30.0])
        labels[b, gy, gx, a, 4] = 1.0
        labels[b, gy, gx, a, 5 + int(torch.randint(0, NUM_CLASSES, (1,)))] = 1.0
model, criterion = TinyYolo(), YoloV4Loss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
for epoch in range(3):
    for i in range(0, 16, 8):
        p, p_d = model(images[i:i + 8])
        loss = criterion(p, p_d, labels[i:i + 8])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 3))
