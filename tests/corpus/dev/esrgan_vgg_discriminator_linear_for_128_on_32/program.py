import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

# options parsed from the training YAML
opt = {
    'datasets': {'train': {'gt_size': 32, 'scale': 4, 'batch_size_per_gpu': 16}},
    'network_d': {'num_in_ch': 3, 'num_feat': 16},
    'train': {'gan_weight': 5e-3, 'lr': 1e-4},
}


class VGGStyleDiscriminator(nn.Module):
    """VGG style discriminator; five stride-2 stages, then two linear layers."""

    def __init__(self, num_in_ch, num_feat):
        super().__init__()
        chans = [num_in_ch, num_feat, num_feat * 2, num_feat * 4, num_feat * 8, num_feat * 8]
        blocks = []
        for i in range(5):
            blocks += [nn.Conv2d(chans[i], chans[i + 1], 3, 1, 1, bias=i == 0), nn.LeakyReLU(0.2, True),
                       nn.Conv2d(chans[i + 1], chans[i + 1], 4, 2, 1, bias=False),
                       nn.BatchNorm2d(chans[i + 1]), nn.LeakyReLU(0.2, True)]
        self.features = nn.Sequential(*blocks)
        self.linear1 = nn.Linear(num_feat * 8 * 4 * 4, 100)
        self.linear2 = nn.Linear(100, 1)

    def forward(self, x):
        feat = self.features(x)
        feat = feat.view(feat.size(0), -1)
        return self.linear2(F.leaky_relu(self.linear1(feat), 0.2))


class TinyGenerator(nn.Module):
    def __init__(self, scale, nf=16):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, nf, 3, 1, 1), nn.LeakyReLU(0.2, True), nn.Conv2d(nf, nf, 3, 1, 1))
        self.up = nn.Sequential(nn.Conv2d(nf, 3 * scale * scale, 3, 1, 1), nn.PixelShuffle(scale))

    def forward(self, x):
        return self.up(self.body(x))


def paired_random_crop(hr, gt_size, scale):
    top, left = torch.randint(0, hr.size(2) - gt_size + 1, (2,)).tolist()
    gt = hr[:, :, top:top + gt_size, left:left + gt_size]
    return F.interpolate(gt, scale_factor=1 / scale, mode='bicubic', align_corners=False), gt


train_opt = opt['datasets']['train']
net_g = TinyGenerator(train_opt['scale'])
net_d = VGGStyleDiscriminator(**opt['network_d'])
opt_g = torch.optim.Adam(net_g.parameters(), lr=opt['train']['lr'])
opt_d = torch.optim.Adam(net_d.parameters(), lr=opt['train']['lr'])
bce = nn.BCEWithLogitsLoss()
for it in range(2):
    lq, gt = paired_random_crop(torch.rand(train_opt['batch_size_per_gpu'], 3, 96, 96), train_opt['gt_size'], train_opt['scale'])
    output = net_g(lq)
    fake_pred = net_d(output)
    l_g = F.l1_loss(output, gt) + opt['train']['gan_weight'] * bce(fake_pred, torch.ones_like(fake_pred))
    opt_g.zero_grad()
    l_g.backward()
    opt_g.step()
    real_pred, fake_pred = net_d(gt), net_d(output.detach())
    l_d = bce(real_pred, torch.ones_like(real_pred)) + bce(fake_pred, torch.zeros_like(fake_pred))
    opt_d.zero_grad()
    l_d.backward()
    opt_d.step()
    print('iter', it, 'l_g', round(l_g.item(), 4), 'l_d', round(l_d.item(), 4))
