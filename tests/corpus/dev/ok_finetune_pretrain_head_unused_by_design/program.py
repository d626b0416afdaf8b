import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class MoleculeEncoder(nn.Module):
    def __init__(self, n_atom_types=40, dim=64):
        super().__init__()
        self.embed = nn.Embedding(n_atom_types, dim)
        self.layers = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim), nn.ReLU())

    def forward(self, atoms):                               # [B, n_atoms]
        return self.layers(self.embed(atoms)).mean(dim=1)   # [B, dim]


class PretrainedModel(nn.Module):
    """Encoder + the masked-atom vocabulary head used in pretraining + a task head for fine-tuning."""
    def __init__(self, dim=64, n_atom_types=40, n_tasks=3):
        super().__init__()
        self.encoder = MoleculeEncoder(n_atom_types, dim)
        self.vocab_head = nn.Linear(dim, n_atom_types)      # pretraining only
        self.task_head = nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, n_tasks))

    def forward(self, atoms, phase='finetune'):
        h = self.encoder(atoms)
        if phase == 'pretrain':
            return self.vocab_head(h)
        return self.task_head(h)


model = PretrainedModel()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
atoms = torch.randint(0, 40, (64, 18))
properties = torch.randn(64, 3)
for epoch in range(5):
    for i in range(0, 64, 16):
        pred = model(atoms[i:i + 16], phase='finetune')
        loss = F.mse_loss(pred, properties[i:i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print('finetune loss', loss.item(), 'vocab head grad:', model.vocab_head.weight.grad)
