import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

NUM_CLASSES = 5
N_TRAIN = 48


class IndexedDataset(Dataset):
    def __init__(self):
        self.x = torch.randn(N_TRAIN, 3, 16, 16)
        self.y = torch.randint(0, NUM_CLASSES, (N_TRAIN,))

    def __len__(self):
        return N_TRAIN

    def __getitem__(self, i):
        return self.x[i], self.y[i], i


model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                      nn.Linear(8, NUM_CLASSES))
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
trainloader = DataLoader(IndexedDataset(), batch_size=16, shuffle=True)
new_y = torch.zeros(N_TRAIN, NUM_CLASSES)


def train(trainloader, model, optimizer, epoch, y_store):
    for input, target, index in trainloader:
        if epoch == 0:
            onehot = torch.zeros(target.size(0), NUM_CLASSES).scatter_(1, target.view(-1, 1), 10.0)
            y_store[index, :] = onehot
        yy = y_store[index, :].clone().requires_grad_(True)
        output = model(input)
        logsoftmax = F.log_softmax(output, dim=1)
        lc = -(F.softmax(yy, dim=1) * logsoftmax).sum(dim=1).mean()
        optimizer.zero_grad()
        lc.backward()
        optimizer.step()
    return lc.item()


for epoch in range(2):
    print('epoch', epoch, 'loss', train(trainloader, model, optimizer, epoch, new_y))
