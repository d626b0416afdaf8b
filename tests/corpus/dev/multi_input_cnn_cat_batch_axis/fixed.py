import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class MultiInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.sec = nn.Sequential(nn.Linear(6 * 32, 64), nn.ReLU(), nn.Linear(64, 4))

    def forward(self, input1, input2, input3, input4, input5, input6):
        c1 = self.cnn(input1)
        c2 = self.cnn(input2)
        c3 = self.cnn(input3)
        c4 = self.cnn(input4)
        c5 = self.cnn(input5)
        c6 = self.cnn(input6)
        all = torch.cat((c1, c2, c3, c4, c5, c6), 1)
        return self.sec(all)


views = [torch.rand(30, 3, 32, 32) for _ in range(6)]
y = torch.randint(0, 4, (30,))
train_dataloader = DataLoader(TensorDataset(*views, y), batch_size=10, shuffle=True)
model = MultiInputs()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    model.train()
    for X1, X2, X3, X4, X5, X6, target in train_dataloader:
        y_pred = model(X1, X2, X3, X4, X5, X6)
        loss = loss_fn(y_pred, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
