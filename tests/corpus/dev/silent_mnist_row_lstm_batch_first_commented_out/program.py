import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

batch_size = 100
learning_rate = 1e-2
num_epoches = 2

# synthetic stand-in for MNIST: 28 rows of 28 pixels per image
train_dataset = TensorDataset(torch.rand(600, 1, 28, 28), torch.randint(0, 10, (600,)))
test_dataset = TensorDataset(torch.rand(200, 1, 28, 28), torch.randint(0, 10, (200,)))
train_loader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True)
test_loader = DataLoader(test_dataset, batch_size=batch_size, shuffle=False)


class Rnn(nn.Module):
    def __init__(self, in_dim, hidden_dim, n_layer, n_class):
        super(Rnn, self).__init__()
        self.n_layer = n_layer
        self.hidden_dim = hidden_dim
        self.lstm = nn.LSTM(in_dim, hidden_dim, n_layer)
                            # batch_first=True)
        self.classifier = nn.Linear(hidden_dim, n_class)

    def forward(self, x):
        out, _ = self.lstm(x)
        out = out[:, -1, :]
        out = self.classifier(out)
        return out


model = Rnn(28, 128, 2, 10)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=learning_rate)

for epoch in range(num_epoches):
    running_loss = 0.0
    running_acc = 0.0
    for i, (img, label) in enumerate(train_loader, 1):
        b, c, h, w = img.size()
        img = img.squeeze(1)                     # (batch, 28 rows, 28 pixels)
        out = model(img)
        loss = criterion(out, label)
        running_loss += loss.item() * label.size(0)
        _, pred = torch.max(out, 1)
        running_acc += (pred == label).float().sum().item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch {} loss {:.4f} acc {:.4f}'.format(epoch + 1, running_loss / len(train_dataset),
                                                  running_acc / len(train_dataset)))

model.eval()
eval_acc = 0.0
with torch.no_grad():
    for img, label in test_loader:
        out = model(img.squeeze(1))
        eval_acc += (out.argmax(1) == label).float().sum().item()
print('test acc {:.4f}'.format(eval_acc / len(test_dataset)))
