import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

config = {
    'dataset': 'CIFAR10_LT',
    'networks': {'feat_dim': 64, 'pool_size': 1},
    'training_opt': {'batch_size': 16, 'num_classes': 10, 'lr': 0.1},
}


class ResNextLite(nn.Module):
    def __init__(self, feat_dim, pool_size):
        super().__init__()
        layers, cin = [], 3
        for cout in (16, 32, 48, 64, feat_dim):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
            cin = cout
        self.body = nn.Sequential(*layers)
        self.avgpool = nn.AvgPool2d(pool_size, stride=1)

    def forward(self, x):
        return self.avgpool(self.body(x)).flatten(1)


class CausalNormClassifier(nn.Module):
    def __init__(self, num_classes, feat_dim, tau=16.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_classes, feat_dim) * 0.01)
        self.tau = tau

    def forward(self, x):
        return self.tau * F.normalize(x, dim=1) @ F.normalize(self.weight, dim=1).t()


net = config['networks']
opt = config['training_opt']
feat_model = ResNextLite(net['feat_dim'], net['pool_size'])
classifier = CausalNormClassifier(opt['num_classes'], net['feat_dim'])
params = list(feat_model.parameters()) + list(classifier.parameters())
optimizer = torch.optim.SGD(params, lr=opt['lr'], momentum=0.9)
counts = torch.tensor([500, 300, 180, 110, 65, 40, 24, 14, 9, 5]) // 5          # long-tailed CIFAR-10
labels = torch.repeat_interleave(torch.arange(10), counts)
loader = DataLoader(TensorDataset(torch.rand(len(labels), 3, 32, 32), labels), batch_size=opt['batch_size'], shuffle=True)
for step, (inputs, targets) in enumerate(loader):
    logits = classifier(feat_model(inputs))
    loss = F.cross_entropy(logits, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step == 3:
        break
print('loss', loss.item())
