import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class SKAttention(nn.Module):
    def __init__(self, channel=32, kernels=(1, 3, 5, 7), reduction=4, L=16):
        super().__init__()
        self.d = max(L, channel // reduction)
        self.convs = nn.ModuleList([nn.Sequential(nn.Conv2d(channel, channel, k, padding=k // 2), nn.BatchNorm2d(channel), nn.ReLU())
                                    for k in kernels])
        self.fc = nn.Linear(channel, self.d)
        self.fcs = nn.ModuleList([nn.Linear(self.d, channel) for _ in kernels])
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        bs, c, _, _ = x.size()
        conv_outs = [conv(x) for conv in self.convs]
        feats = torch.stack(conv_outs, 0)                      # k, bs, channel, h, w
        U = sum(conv_outs)                                     # fuse
        S = U.mean(-1).mean(-1)                                # bs, c
        Z = self.fc(S)                                         # bs, d
        weights = [fc(Z).view(bs, c, 1, 1) for fc in self.fcs]
        attention_weights = torch.stack(weights, 0)            # k, bs, channel, 1, 1
        attention_weights = self.softmax(attention_weights)
        return (attention_weights * feats).sum(0)              # select: bs, c, h, w


model = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), SKAttention(32), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
images, labels = torch.randn(8, 3, 16, 16), torch.randint(0, 10, (8,))
for step in range(5):
    loss = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
