import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def instance_norm(x, eps=1e-5):                              # x: [N, C, H, W]
    mean = x.mean(dim=(2, 3), keepdim=True)                  # [N, C, 1, 1]
    var = x.var(dim=(2, 3), keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps)


class AdaINDecoderBlock(nn.Module):
    def __init__(self, c=16):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, content, style):
        style_mean = style.mean(dim=(2, 3), keepdim=True)
        style_std = style.std(dim=(2, 3), keepdim=True) + 1e-5
        return F.relu(self.conv(instance_norm(content) * style_std + style_mean))


encoder = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU())
block = AdaINDecoderBlock()
to_rgb = nn.Conv2d(16, 3, 1)
params = list(encoder.parameters()) + list(block.parameters()) + list(to_rgb.parameters())
optimizer = torch.optim.Adam(params, lr=1e-3)
content, style = torch.rand(4, 3, 32, 32), torch.rand(4, 3, 32, 32)
for step in range(5):
    fc, fs = encoder(content), encoder(style)
    out = to_rgb(block(fc, fs))
    fo = encoder(out)
    content_loss = F.mse_loss(instance_norm(fo), instance_norm(fc))
    style_loss = F.mse_loss(fo.mean(dim=(2, 3)), fs.mean(dim=(2, 3))) + F.mse_loss(fo.std(dim=(2, 3)), fs.std(dim=(2, 3)))
    loss = content_loss + 10 * style_loss
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(out.shape, loss.item())
