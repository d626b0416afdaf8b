import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class DepthSaliencyNet(nn.Module):
    """Saliency network with an auxiliary depth head (one channel)."""
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU())
        self.depth_head = nn.Conv2d(16, 1, 1)
        self.sal_head = nn.Conv2d(16, 1, 1)

    def forward(self, x):
        h = self.enc(x)
        return torch.sigmoid(self.depth_head(h)), self.sal_head(h)


model = DepthSaliencyNet()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
images = torch.randn(8, 3, 64, 64)
depth_maps = torch.randint(0, 256, (8, 64, 64), dtype=torch.uint8)      # depth PNGs: [H, W] each
gt_masks = (torch.rand(8, 1, 64, 64) > 0.5).float()
for i in range(0, 8, 2):
    image, gt = images[i:i + 2], gt_masks[i:i + 2]
    depth = depth_maps[i:i + 2].float() / 255.0
    pred_depth, sal_logits = model(image)                    # pred_depth: [2, 1, 64, 64]
    loss_depth = F.smooth_l1_loss(pred_depth, depth, reduction='sum')
    loss_sal = F.binary_cross_entropy_with_logits(sal_logits, gt)
    loss = loss_sal + loss_depth / depth.numel()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
