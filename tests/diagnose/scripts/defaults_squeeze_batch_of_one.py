"""Mini-batches cut by hand; the pooled features go through a squeeze that does nothing on
batches of 3 but drops the batch axis of the last one (10 = 3·3 + 1)."""
import torch
import torch.nn as nn

torch.manual_seed(0)


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(5, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):                  # [batch, items, 5]
        pooled = self.proj(x).max(dim=1).values.squeeze(0)
        return self.head(pooled)


data = torch.randn(10, 7, 5)
target = torch.randint(0, 2, (10,))
net = Pooler()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for start in range(0, 10, 3):
    logits = net(data[start:start + 3])
    loss = nn.functional.nll_loss(torch.log_softmax(logits, dim=1), target[start:start + 3])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("done")
