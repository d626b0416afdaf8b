import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class WideCTR(nn.Module):
    def __init__(self, n_ads=50, n_slots=8, n_dense=5):
        super().__init__()
        self.ad = nn.Embedding(n_ads, 8)
        self.slot = nn.Embedding(n_slots, 4)
        self.out = nn.Linear(8 + 4 + n_dense, 1)

    def forward(self, ad, slot, dense):
        parts = [self.ad(ad), self.slot(slot), dense]
        return self.out(torch.cat(parts, dim=1)).sigmoid().squeeze(1)


N = 1200
ad, slot, dense = torch.randint(0, 50, (N,)), torch.randint(0, 8, (N,)), torch.randn(N, 5)
clicked = (dense[:, 0] + 0.1 * ad.float() / 50 > 0.3).float()
model = WideCTR()
opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
for epoch in range(2):
    for i in range(0, N, 200):
        p = model(ad[i:i + 200], slot[i:i + 200], dense[i:i + 200])
        loss = F.binary_cross_entropy_with_logits(p, clicked[i:i + 200])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
