import torch
import torch.nn as nn

torch.manual_seed(0)

scale = torch.tensor([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
windows = torch.randn(90, 64, 6) * scale + scale
activity = torch.randint(0, 5, (90,))
windows = (windows - windows.mean(1, keepdim=True)) / (windows.std(1, keepdim=True) + 1e-6)


class HAR(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 32, batch_first=True)
        self.out = nn.Linear(32, 5)

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])


model = HAR()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for s in range(0, 90, 30):
        loss = nn.functional.cross_entropy(model(windows[s:s + 30]), activity[s:s + 30])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
