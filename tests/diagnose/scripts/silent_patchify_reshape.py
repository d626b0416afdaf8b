import torch
import torch.nn as nn

torch.manual_seed(0)


def to_tokens(x, p):
    n, c, h, w = x.shape
    return x.reshape(n, (h // p) * (w // p), c * p * p)       # a patch needs its rows and colours


embed, head = nn.Linear(2 * 4 * 4, 16), nn.Linear(16, 3)
opt = torch.optim.SGD(list(embed.parameters()) + list(head.parameters()), lr=0.1)
images, labels = torch.randn(20, 2, 8, 12), torch.randint(0, 3, (20,))
for i in range(0, 20, 5):
    tokens = embed(to_tokens(images[i:i + 5], 4))
    loss = nn.functional.cross_entropy(head(tokens.mean(1)), labels[i:i + 5])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
