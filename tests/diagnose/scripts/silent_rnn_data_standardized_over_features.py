import torch
import torch.nn as nn

torch.manual_seed(0)

seqs = torch.randn(60, 40, 5) * torch.arange(1.0, 6.0)
y = torch.randint(0, 3, (60,))
seqs = (seqs - seqs.mean(-1, keepdim=True)) / (seqs.std(dim=-1, keepdim=True) + 1e-5)
rnn, head = nn.LSTM(5, 16, batch_first=True), nn.Linear(16, 3)
opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
for i in range(0, 60, 20):
    out, _ = rnn(seqs[i:i + 20])
    loss = nn.functional.cross_entropy(head(out[:, -1]), y[i:i + 20])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
