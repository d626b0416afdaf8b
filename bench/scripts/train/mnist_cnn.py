"""pytorch/examples mnist: two convs, dropout, log_softmax + nll_loss, Adadelta with StepLR."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


data = torch.utils.data.TensorDataset(torch.randn(640, 1, 28, 28), torch.randint(0, 10, (640,)))
train_loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True)
test_loader = torch.utils.data.DataLoader(data, batch_size=200)
model = Net()
optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(2):
    model.train()
    for data_, target in train_loader:
        optimizer.zero_grad()
        loss = F.nll_loss(model(data_), target)
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for data_, target in test_loader:
            pred = model(data_).argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    scheduler.step()
print("accuracy", correct / len(data))
