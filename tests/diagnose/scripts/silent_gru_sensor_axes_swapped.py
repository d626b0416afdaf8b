# Activity recognition from 3-axis wearables: each recording is [sensors, frames, features] with
# its own number of frames, fed one recording at a time to a GRU built without batch_first, so it
# steps over the 3 sensors and runs the frames side by side.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


class Recordings(Dataset):
    def __init__(self, n=10):
        self.items = [(torch.randn(3, int(torch.randint(40, 70, ())), 9), int(torch.randint(0, 4, ())))
                      for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def first(batch):
    return batch[0]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(9, 32)
        self.out = nn.Linear(32, 4)

    def forward(self, x):
        seq, _ = self.gru(x)              # read as [time, batch, features]
        return self.out(seq.mean(dim=(0, 1)))


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in DataLoader(Recordings(), batch_size=1, collate_fn=first):
    loss = nn.functional.cross_entropy(model(x)[None], torch.tensor([y]))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", float(loss))
