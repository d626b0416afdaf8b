import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# the project's YAML, as a dict: ViLBERT-style classifier fine-tuned on hateful memes
config = {
    'model_config': {
        'num_labels': 2,
        'hidden_size': 64,
        'losses': ['cross_entropy'],
    },
    'training': {'batch_size': 32, 'lr': 1e-3, 'max_updates': 6},
}

LOSSES = {
    'bce': lambda scores, targets: F.binary_cross_entropy(torch.sigmoid(scores), targets.float()),
    'cross_entropy': lambda scores, targets: F.cross_entropy(scores, targets),
}


class FusionClassifier(nn.Module):
    def __init__(self, cfg, text_dim=48, image_dim=80):
        super().__init__()
        h = cfg['hidden_size']
        self.text_proj = nn.Linear(text_dim, h)
        self.image_proj = nn.Linear(image_dim, h)
        self.classifier = nn.Sequential(nn.Linear(2 * h, h), nn.GELU(), nn.Linear(h, cfg['num_labels']))

    def forward(self, text, image):
        pooled = torch.cat([self.text_proj(text).mean(1), self.image_proj(image).mean(1)], dim=-1)
        return {'scores': self.classifier(pooled)}


class Losses:
    def __init__(self, names):
        self.fns = [LOSSES[n] for n in names]

    def __call__(self, sample, output):
        return sum(fn(output['scores'], sample['targets']) for fn in self.fns)


text = torch.randn(160, 20, 48)
image = torch.randn(160, 36, 80)
targets = torch.randint(0, 2, (160,))
loader = DataLoader(TensorDataset(text, image, targets), batch_size=config['training']['batch_size'], shuffle=True)

model = FusionClassifier(config['model_config'])
losses = Losses(config['model_config']['losses'])
opt = torch.optim.AdamW(model.parameters(), lr=config['training']['lr'])
updates = 0
while updates < config['training']['max_updates']:
    for t, im, y in loader:
        sample = {'targets': y}
        loss = losses(sample, model(t, im))
        opt.zero_grad()
        loss.backward()
        opt.step()
        updates += 1
        if updates == config['training']['max_updates']:
            break
    print('updates', updates, 'loss', round(loss.item(), 4))
