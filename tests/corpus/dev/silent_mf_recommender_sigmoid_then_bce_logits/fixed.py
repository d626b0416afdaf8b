import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class PointMF(nn.Module):
    """Point-wise matrix factorisation for implicit feedback (clicked / not clicked)."""
    def __init__(self, user_num, item_num, factor_num=16):
        super().__init__()
        self.embed_user = nn.Embedding(user_num, factor_num)
        self.embed_item = nn.Embedding(item_num, factor_num)
        nn.init.normal_(self.embed_user.weight, std=0.01)
        nn.init.normal_(self.embed_item.weight, std=0.01)

    def forward(self, user, item):
        pred = (self.embed_user(user) * self.embed_item(item)).sum(dim=-1)
        return pred


users = torch.randint(0, 100, (2000,))
items = torch.randint(0, 300, (2000,))
labels = ((users + items) % 3 == 0).float()
loader = DataLoader(TensorDataset(users, items, labels), batch_size=256, shuffle=True)

model = PointMF(100, 300)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(3):
    for user, item, label in loader:
        prediction = model(user, item)
        loss = criterion(prediction, label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
