# star ratings centred on 0 (-2 … 2) used as class ids of a 5-way classifier
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(7)
REVIEWS = [(torch.randn(10), int(r)) for r in torch.randint(1, 6, (40,))]


class Ratings(Dataset):
    def __len__(self):
        return len(REVIEWS)

    def __getitem__(self, i):
        features, stars = REVIEWS[i]
        return features, torch.tensor(stars - 3)


clf = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 5))
opt = torch.optim.SGD(clf.parameters(), lr=0.1)
for features, label in DataLoader(Ratings(), batch_size=8, shuffle=True):
    loss = nn.functional.cross_entropy(clf(features), label)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
