import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
NUM_CLASSES = 10


def fashion_like(n):
    # 28x28 grey images; the class decides which horizontal band is bright
    y = torch.randint(0, NUM_CLASSES, (n,))
    X = torch.rand(n, 1, 28, 28) * 0.8
    for i in range(n):
        r = 2 + 2 * int(y[i])
        X[i, 0, r:r + 3, 4:24] += 0.25
    return X, y


class FashionMNISTModelV2(nn.Module):
    """TinyVGG"""
    def __init__(self, input_shape, hidden_units, output_shape):
        super().__init__()
        self.block_1 = nn.Sequential(
            nn.Conv2d(input_shape, hidden_units, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, 3, 1, 1), nn.ReLU(),
            nn.MaxPool2d(2))
        self.block_2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, 3, 1, 1), nn.ReLU(),
            nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(hidden_units * 7 * 7, output_shape))

    def forward(self, x):
        return self.classifier(self.block_2(self.block_1(x)))


train_data, test_data = fashion_like(640), fashion_like(320)
train_dataloader = DataLoader(TensorDataset(*train_data), batch_size=32, shuffle=True)
test_dataloader = DataLoader(TensorDataset(*test_data), batch_size=32, shuffle=False)

model_2 = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=NUM_CLASSES)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model_2.parameters(), lr=0.003)
for epoch in range(4):
    model_2.train()
    for X, y in train_dataloader:
        loss = loss_fn(model_2(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

# 10. Making a confusion matrix for further prediction evaluation
y_preds = []
model_2.eval()
with torch.inference_mode():
    for X, y in test_dataloader:
        y_logit = model_2(X)
        y_pred = torch.softmax(y_logit.squeeze(), dim=0).argmax(dim=1)
        y_preds.append(y_pred)
y_pred_tensor = torch.cat(y_preds)

targets = test_data[1]
confmat = torch.zeros(NUM_CLASSES, NUM_CLASSES, dtype=torch.long)
for t, p in zip(targets, y_pred_tensor):
    confmat[t, p] += 1
print('accuracy: %.3f' % (y_pred_tensor == targets).float().mean().item())
print('confusion matrix diagonal:', confmat.diag().tolist())
