import torch
import torch.nn as nn

torch.manual_seed(0)


class SoftKMeans(nn.Module):
    def __init__(self, k=5, d=6):
        super().__init__()
        self.centres = nn.Parameter(torch.randn(k, d))
        self.embed = nn.Linear(d, d)

    def forward(self, x):
        z = self.embed(x)
        d2 = ((z[:, None, :] - self.centres[None, :, :]) ** 2).sum(-1)
        assign = torch.softmax(-d2, dim=1)
        recon = assign @ self.centres
        return ((recon - z) ** 2).sum(1).mean()


pts = torch.randn(200, 6)
model = SoftKMeans()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for i in range(0, 200, 40):
    loss = model(pts[i:i + 40])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
