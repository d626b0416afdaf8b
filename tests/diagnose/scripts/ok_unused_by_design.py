"""A pretraining head that is never called while fine-tuning, embeddings detached on purpose,
and stochastic depth that skips blocks at random."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(15)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(4)])
        self.classify = nn.Linear(8, 2)
        self.pretrain_head = nn.Linear(8, 30)   # used only in pretraining

    def forward(self, tokens):
        h = self.embed(tokens).detach().mean(1)  # frozen features, on purpose
        for block in self.blocks:
            if self.training and torch.rand(()) < 0.5:
                continue                           # stochastic depth
            h = h + torch.relu(block(h))
        return self.classify(h)


tokens = torch.randint(0, 30, (40, 6))
labels = torch.randint(0, 2, (40,))
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(tokens, labels), batch_size=10):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
