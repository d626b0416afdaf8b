# A bandit policy scores one context at a time ([1, 3]) and softmaxes over dim 0, the batch of
# one: every probability is 1. The decoder below attends over the keys seen so far: one key at
# its first step, more later; that softmax is fine.
import torch
import torch.nn as nn

torch.manual_seed(0)
policy = nn.Linear(6, 3)
opt = torch.optim.SGD(policy.parameters(), lr=0.1)
for t in range(30):
    context = torch.randn(6).unsqueeze(0)
    probs = torch.softmax(policy(context), dim=0)
    arm = torch.multinomial(probs[0], 1).item()
    reward = float(arm == 2)
    loss = -torch.log(probs[0, arm]) * reward
    opt.zero_grad()
    loss.backward()
    opt.step()

query = nn.Linear(8, 8)
keys = []
h = torch.randn(2, 1, 8)
for step in range(4):
    keys.append(h)
    k = torch.cat(keys, dim=1)                               # [2, step + 1, 8]
    w = torch.softmax(query(h) @ k.transpose(1, 2), dim=-1)  # [2, 1, step + 1]
    h = torch.tanh(w @ k)
print("done", probs.tolist(), h.shape)
