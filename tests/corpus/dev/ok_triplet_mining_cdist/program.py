import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def batch_hard_triplet_loss(embeddings, labels, margin=0.3):
    dist = torch.cdist(embeddings, embeddings)                         # [B, B]
    same = labels[:, None] == labels[None, :]                          # [B, B]
    hardest_pos = (dist * same.float()).max(dim=1).values              # [B]
    hardest_neg = dist.masked_fill(same, float('inf')).min(dim=1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


net = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 16))
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
features = torch.randn(96, 40)
identities = torch.arange(24).repeat_interleave(4)                     # 24 identities x 4 samples
for epoch in range(3):
    perm = torch.randperm(96)
    for i in range(0, 96, 32):
        idx = perm[i:i + 32]
        emb = F.normalize(net(features[idx]), dim=1)
        loss = batch_hard_triplet_loss(emb, identities[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
