"""Time-major data [T, B, F] built by hand for an LSTM without batch_first; softmax over the last
dim; per-step predictions compared with per-step targets of the same layout."""
import torch
import torch.nn as nn

torch.manual_seed(16)

lstm = nn.LSTM(3, 10)
head = nn.Linear(10, 4)
params = list(lstm.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
seq = torch.randn(20, 6, 3)            # [time, batch, features]
tags = torch.randint(0, 4, (20, 6))
for step in range(3):
    out, _ = lstm(seq)
    logits = head(out)                 # [time, batch, tags]
    probs = logits.softmax(-1)
    loss = nn.functional.cross_entropy(logits.reshape(-1, 4), tags.reshape(-1))
    acc = (probs.argmax(-1) == tags).float().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item(), "acc", acc.item())
