import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)

N_USERS, N_ITEMS, FACTORS = 30, 100, 12

# content vectors were only computed for the first 80 items of the catalogue
item_content = torch.randn(80, FACTORS)
pairs = torch.stack([torch.randint(0, N_USERS, (400,)), torch.randint(0, N_ITEMS, (400,))], dim=1)
ratings = torch.rand(400) * 5


def table_sizes(content, pairs):
    n_users = int(pairs[:, 0].max()) + 1
    n_items = content.size(0)
    return n_users, n_items


class MatrixFactorization(nn.Module):
    def __init__(self, n_users, n_items, k, content):
        super().__init__()
        self.user = nn.Embedding(n_users, k)
        self.item = nn.Embedding(n_items, k)
        with torch.no_grad():
            self.item.weight[:content.size(0)] = content

    def forward(self, users, items):
        return (self.user(users) * self.item(items)).sum(dim=-1)


n_users, n_items = table_sizes(item_content, pairs)
mf = MatrixFactorization(n_users, n_items, FACTORS, item_content)
loader = DataLoader(TensorDataset(pairs[:, 0], pairs[:, 1], ratings), batch_size=32, shuffle=True)
opt = torch.optim.SGD(mf.parameters(), lr=0.05)
for epoch in range(2):
    for u, i, r in loader:
        loss = ((mf(u, i) - r) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
