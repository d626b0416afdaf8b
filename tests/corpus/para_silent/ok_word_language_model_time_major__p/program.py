import torch
import torch.nn as nn

torch.manual_seed(0)


def batchify(stream, n_streams):
    steps = stream.size(0) // n_streams
    return stream[:steps * n_streams].view(n_streams, steps).t().contiguous()


class GRULM(nn.Module):
    def __init__(self, V=60, d=32):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.rnn = nn.GRU(d, d)
        self.dec = nn.Linear(d, V)

    def forward(self, x, h=None):
        out, h = self.rnn(self.emb(x), h)
        return self.dec(out), h


data = batchify(torch.randint(0, 60, (1500,)), 10)
model = GRULM()
opt = torch.optim.SGD(model.parameters(), lr=0.5)
h = None
for i in range(0, 60, 12):
    x, y = data[i:i + 12], data[i + 1:i + 13]
    out, h = model(x, h)
    h = h.detach()
    loss = nn.functional.cross_entropy(out.view(-1, 60), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
