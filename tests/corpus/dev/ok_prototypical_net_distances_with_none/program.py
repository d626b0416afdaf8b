import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def euclidean_dist(x, y):                                     # x: [Q, D], y: [N, D]
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(dim=2)  # [Q, N]


encoder = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten())
optimizer = torch.optim.Adam(encoder.parameters(), lr=1e-3)

n_way, n_shot, n_query = 5, 3, 4
for episode in range(5):
    support = torch.randn(n_way * n_shot, 1, 28, 28)
    query = torch.randn(n_way * n_query, 1, 28, 28)
    z = encoder(torch.cat([support, query], dim=0))
    z_dim = z.size(-1)
    prototypes = z[:n_way * n_shot].view(n_way, n_shot, z_dim).mean(dim=1)   # [5, D]
    zq = z[n_way * n_shot:]                                                   # [20, D]
    log_p_y = F.log_softmax(-euclidean_dist(zq, prototypes), dim=1)          # [20, 5]
    target = torch.arange(n_way).repeat_interleave(n_query)                  # [20]
    loss = F.nll_loss(log_p_y, target)
    acc = (log_p_y.argmax(dim=1) == target).float().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item(), 'acc', acc.item())
