import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class CharCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(70, 16)
        self.convs = nn.ModuleList([nn.Conv1d(16, 24, k) for k in (3, 5)])
        self.fc = nn.Linear(48, 2)

    def forward(self, chars):
        e = self.emb(chars).transpose(1, 2)
        pooled = [torch.relu(c(e)).max(dim=2).values for c in self.convs]
        return self.fc(torch.cat(pooled, dim=1))


data = TensorDataset(torch.randint(0, 70, (80, 40)), torch.randint(0, 2, (80,)))
model = CharCNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(data, batch_size=16):
    loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
