import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class SupConLoss(nn.Module):
    def __init__(self, temperature=0.07, base_temperature=0.07):
        super().__init__()
        self.temperature, self.base_temperature = temperature, base_temperature

    def forward(self, features, labels):                       # features [bsz, n_views, dim]
        batch_size = features.shape[0]
        labels = labels.contiguous().view(-1, 1)
        mask = torch.eq(labels, labels.T).float()              # [bsz, bsz]
        contrast_count = features.shape[1]
        # views stacked view-major: rows 0..bsz-1 are view 0, rows bsz..2bsz-1 view 1
        contrast_feature = torch.cat(torch.unbind(features, dim=1), dim=0)
        anchor_feature, anchor_count = contrast_feature, contrast_count
        logits = torch.matmul(anchor_feature, contrast_feature.T) / self.temperature
        logits = logits - logits.max(dim=1, keepdim=True)[0].detach()
        mask = mask.repeat(anchor_count, contrast_count)
        logits_mask = torch.ones_like(mask).scatter_(1, torch.arange(batch_size * anchor_count).view(-1, 1), 0)
        mask = mask * logits_mask
        exp_logits = torch.exp(logits) * logits_mask
        log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
        mean_log_prob_pos = (mask * log_prob).sum(1) / mask.sum(1)
        loss = -(self.temperature / self.base_temperature) * mean_log_prob_pos
        # [anchor_count * bsz] -> [anchor_count, bsz]: bsz is the second axis because of the cat above
        loss = loss.view(anchor_count, batch_size).mean()
        return loss


encoder = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 32))
criterion = SupConLoss(temperature=0.1)
optimizer = torch.optim.SGD(encoder.parameters(), lr=0.05, momentum=0.9)
images = torch.rand(64, 3, 32, 32)
labels = torch.randint(0, 5, (64,))


def augment(x):
    flip = torch.rand(x.size(0), 1, 1, 1) < 0.5
    x = torch.where(flip, x.flip(3), x)
    return (x + 0.05 * torch.randn_like(x)).clamp(0, 1)


for epoch in range(3):
    for i in range(0, 64, 16):
        x, y = images[i:i + 16], labels[i:i + 16]
        bsz = y.shape[0]
        views = torch.cat([augment(x), augment(x)], dim=0)     # [2*bsz, 3, 32, 32]
        f = F.normalize(encoder(views), dim=1)
        f1, f2 = torch.split(f, [bsz, bsz], dim=0)
        features = torch.cat([f1.unsqueeze(1), f2.unsqueeze(1)], dim=1)   # [bsz, 2, 32]
        loss = criterion(features, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
