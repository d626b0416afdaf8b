import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)


class LinearDataset(Dataset):
    """y = 1 when a*x + b > 0: a separable 1-D binary problem."""
    def __init__(self, a, b, size=200):
        x = torch.linspace(-3, 3, size).view(-1, 1)
        self.x = x
        self.y = (a * x + b > 0).float()

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return len(self.x)


class TrainingOperator:
    def setup(self, config):
        self.model = nn.Linear(1, 1)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=config.get('lr', 1e-2))
        criterion = torch.nn.BCELoss()
        self.criterion = criterion
        self.train_loader = DataLoader(LinearDataset(2, 5), batch_size=config['batch_size'], shuffle=True)

    def train_epoch(self):
        total = 0.0
        for features, target in self.train_loader:
            output = self.model(features)
            loss = self.criterion(output, target)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return {'train_loss': total / len(self.train_loader)}


op = TrainingOperator()
op.setup({'lr': 1e-2, 'batch_size': 32})
for i in range(3):
    print(op.train_epoch())
