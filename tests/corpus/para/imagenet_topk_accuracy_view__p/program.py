import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(22)


def recall_at(scores, labels, ks=(1, 3)):
    top = scores.topk(max(ks), dim=1).indices.T          # [k, batch]
    match = top.eq(labels[None].expand_as(top))
    out = {}
    for k in ks:
        hits = match[:k].view(-1).float().sum()
        out[k] = hits.item() / labels.numel()
    return out


model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 20))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(3):
    x, y = torch.randn(12, 32), torch.randint(0, 20, (12,))
    scores = model(x)
    loss = F.cross_entropy(scores, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, loss.item(), recall_at(scores.detach(), y))
