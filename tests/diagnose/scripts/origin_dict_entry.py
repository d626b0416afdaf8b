"""Sizes from a dict of hyper-parameters; the feature table has 10 columns."""
import torch
import torch.nn as nn

torch.manual_seed(0)

HPARAMS = {
    "in_dim": 12,
    "width": 20,
    "classes": 3,
}


def make_head(in_dim, width, classes):
    return nn.Sequential(nn.Linear(in_dim, width), nn.ReLU(), nn.Linear(width, classes))


table = torch.randn(30, 10)
labels = torch.randint(0, HPARAMS["classes"], (30,))
head = make_head(HPARAMS["in_dim"], HPARAMS["width"], HPARAMS["classes"])
opt = torch.optim.SGD(head.parameters(), lr=0.1)
for step in range(2):
    loss = nn.functional.cross_entropy(head(table), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
