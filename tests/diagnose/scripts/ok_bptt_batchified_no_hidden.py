import torch
import torch.nn as nn

torch.manual_seed(0)

stream = torch.randint(0, 40, (900,))
columns = stream[:900 // 6 * 6].view(6, -1).t().contiguous()     # [150, 6]: six streams, time-major
emb, rnn, dec = nn.Embedding(40, 16), nn.RNN(16, 16), nn.Linear(16, 40)
params = list(emb.parameters()) + list(rnn.parameters()) + list(dec.parameters())
opt = torch.optim.SGD(params, lr=0.5)
h = None
for i in range(0, 140, 14):
    x, y = columns[i:i + 14], columns[i + 1:i + 15]
    out, h = rnn(emb(x), h)
    h = h.detach()
    loss = nn.functional.cross_entropy(dec(out).flatten(0, 1), y.flatten())
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
