"""Two views per sample by default; the data here has one view of 6 features."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class ViewEncoder(nn.Module):
    def __init__(self, feat, n_views=2, out=4):
        super().__init__()
        self.norm = nn.LayerNorm(feat)
        self.proj = nn.Linear(n_views * feat, out)

    def forward(self, x):
        return self.proj(self.norm(x))


x = torch.randn(10, 6)
y = torch.randint(0, 4, (10,))
model = ViewEncoder(feat=6)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(2):
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
