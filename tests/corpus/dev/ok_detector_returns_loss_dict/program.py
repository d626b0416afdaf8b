import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class CenterNetLite(nn.Module):
    def __init__(self, num_classes=3):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
                                      nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU())
        self.heatmap = nn.Conv2d(32, num_classes, 1)
        self.size = nn.Conv2d(32, 2, 1)

    def forward(self, images, targets=None):
        feats = self.backbone(images)                          # [B, 32, H/4, W/4]
        hm, wh = self.heatmap(feats), self.size(feats)
        if self.training:
            return {
                'loss_heatmap': F.binary_cross_entropy_with_logits(hm, targets['heatmap']),
                'loss_size': F.l1_loss(wh * targets['mask'], targets['size'] * targets['mask']),
            }
        scores, labels = hm.sigmoid().flatten(2).max(dim=1)    # per location: best class
        top = scores.topk(5, dim=1)
        return [{'scores': s, 'labels': l[i]} for s, i, l in zip(top.values, top.indices, labels)]


model = CenterNetLite()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
images = torch.randn(4, 3, 64, 64)
targets = {'heatmap': (torch.rand(4, 3, 16, 16) > 0.97).float(),
           'size': torch.rand(4, 2, 16, 16) * 10,
           'mask': (torch.rand(4, 1, 16, 16) > 0.9).float()}
model.train()
for step in range(5):
    loss_dict = model(images, targets)
    losses = sum(loss for loss in loss_dict.values())
    optimizer.zero_grad()
    losses.backward()
    optimizer.step()
model.eval()
with torch.no_grad():
    detections = model(images)
print({k: round(v.item(), 4) for k, v in loss_dict.items()}, len(detections), detections[0]['scores'].shape)
