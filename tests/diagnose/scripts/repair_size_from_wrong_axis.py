# a causal mask sized from the feature axis of [B, T, D] instead of the time axis
import math

import torch
import torch.nn as nn

torch.manual_seed(4)


def causal_attention(q, k, v):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    t_q = q.size(2)
    t_k = k.size(2)
    mask = torch.ones(t_q, t_k).tril().bool()
    scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(-1) @ v


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.out(causal_attention(q, k, v))


block = Block(20)
x = torch.randn(3, 7, 20)
y = block(x)
y.sum().backward()
print(tuple(y.shape))
