import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

H, W, EMBED_DIM = 32, 64, 4


class DiscriminativeLoss(nn.Module):
    def __init__(self, delta_var=0.5, delta_dist=1.5):
        super().__init__()
        self.delta_var, self.delta_dist = delta_var, delta_dist

    def forward(self, embedding, seg_gt):                     # embedding (B, H, W, embed_dim)
        batch_size, embed_dim = embedding.shape[0], embedding.shape[-1]
        var_loss = embedding.new_zeros(())
        dist_loss = embedding.new_zeros(())
        for b in range(batch_size):
            embedding_b = embedding[b]                         # (H, W, embed_dim)
            seg_gt_b = seg_gt[b]
            labels = torch.unique(seg_gt_b)
            labels = labels[labels != 0]
            num_lanes = len(labels)
            if num_lanes == 0:
                continue
            centroid_mean = []
            for lane_idx in labels:
                seg_mask_i = (seg_gt_b == lane_idx)
                embedding_i = embedding_b[seg_mask_i]          # (n_pixels, embed_dim)
                mean_i = torch.mean(embedding_i, dim=0)        # (embed_dim,)
                centroid_mean.append(mean_i)
                var_loss = var_loss + torch.mean(F.relu(
                    torch.norm(embedding_i - mean_i, dim=1) - self.delta_var) ** 2) / num_lanes
            centroid_mean = torch.stack(centroid_mean)        # (n_lane, embed_dim)
            if num_lanes > 1:
                dist = torch.norm(centroid_mean.reshape(-1, 1, embed_dim) - centroid_mean.reshape(1, -1, embed_dim), dim=2)
                dist = dist + torch.eye(num_lanes) * self.delta_dist
                dist_loss = dist_loss + torch.sum(F.relu(-dist + self.delta_dist) ** 2) / (num_lanes * (num_lanes - 1)) / 2
        return var_loss / batch_size, dist_loss / batch_size


class LaneNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())
        self.binary_head = nn.Conv2d(32, 2, 1)
        self.instance_head = nn.Conv2d(32, EMBED_DIM, 1)

    def forward(self, x):
        f = self.backbone(x)
        return self.binary_head(f), self.instance_head(f)     # (B, 2, H, W), (B, embed_dim, H, W)


images = torch.randn(8, 3, H, W)
instance = torch.zeros(8, H, W, dtype=torch.long)
for b in range(8):                                            # three vertical lanes per image
    for lane in range(1, 4):
        col = 8 + 16 * (lane - 1) + int(torch.randint(0, 6, (1,)))
        instance[b, :, col:col + 3] = lane
binary = (instance > 0).long()
model, disc_loss = LaneNet(), DiscriminativeLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for i in range(0, 8, 4):
        binary_logits, embedding = model(images[i:i + 4])
        seg_loss = F.cross_entropy(binary_logits, binary[i:i + 4])
        var_loss, dist_loss = disc_loss(embedding.permute(0, 2, 3, 1), instance[i:i + 4])
        loss = seg_loss + var_loss + dist_loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f'epoch {epoch} seg {seg_loss.item():.4f} var {var_loss.item():.4f} dist {dist_loss.item():.4f}')
