# a classifier with an auxiliary head returns (logits, aux_logits) in train mode
import torch
import torch.nn as nn

torch.manual_seed(8)


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(12, 32), nn.ReLU())
        self.main = nn.Linear(32, 4)
        self.aux = nn.Linear(32, 4)

    def forward(self, x):
        h = self.body(x)
        if self.training:
            return self.main(h), self.aux(h)
        return self.main(h)


net = TwoHeads()
opt = torch.optim.SGD(net.parameters(), lr=0.05)
criterion = nn.CrossEntropyLoss()
for step in range(3):
    x, y = torch.randn(16, 12), torch.randint(0, 4, (16,))
    out = net(x)
    loss = criterion(out, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
