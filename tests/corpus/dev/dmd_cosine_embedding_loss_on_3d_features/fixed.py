import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

D = 50                                      # shared / specific feature size


class Decoupler(nn.Module):
    """Per modality: Conv1d projection, then modality-specific and modality-invariant encoders."""

    def __init__(self, in_dims, d=D):
        super().__init__()
        self.proj = nn.ModuleDict({m: nn.Conv1d(c, d, 1) for m, c in in_dims.items()})
        self.specific = nn.ModuleDict({m: nn.Conv1d(d, d, 1) for m in in_dims})
        self.shared = nn.Conv1d(d, d, 1)
        self.head = nn.Linear(6 * d, 1)

    def forward(self, feats):
        out = {}
        for m, x in feats.items():                          # x: [B, C_m, T]
            h = self.proj[m](x)
            out['s_' + m] = self.specific[m](h).permute(2, 0, 1)   # [T, B, D]
            out['c_' + m] = self.shared(h).permute(2, 0, 1)
        pooled = torch.cat([out[k].mean(0) for k in sorted(out)], -1)
        out['pred'] = self.head(pooled).squeeze(-1)
        return out


model = Decoupler({'l': 768, 'v': 20, 'a': 5})
cosine = nn.CosineEmbeddingLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(3):
    feats = {'l': torch.randn(16, 768, 46), 'v': torch.randn(16, 20, 46), 'a': torch.randn(16, 5, 46)}
    labels = torch.randn(16)
    output = model(feats)
    loss_task = F.l1_loss(output['pred'], labels)
    cosine_similarity_s_c_l = cosine(output['s_l'].reshape(-1, D), output['c_l'].reshape(-1, D), torch.tensor([-1]))
    cosine_similarity_s_c_v = cosine(output['s_v'].reshape(-1, D), output['c_v'].reshape(-1, D), torch.tensor([-1]))
    cosine_similarity_s_c_a = cosine(output['s_a'].reshape(-1, D), output['c_a'].reshape(-1, D), torch.tensor([-1]))
    loss = loss_task + 0.1 * (cosine_similarity_s_c_l + cosine_similarity_s_c_v + cosine_similarity_s_c_a)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, 'loss', round(loss.item(), 4))
