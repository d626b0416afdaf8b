import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

n_steps = 32          # frames per window
n_input = 36          # 18 OpenPose keypoints x (x, y)
n_hidden = 34
n_categories = 6

# X_train.txt rows are flattened windows: reshape to (windows, n_steps, n_input)
X_train = np.random.rand(240 * n_steps, n_input).astype(np.float32).reshape(-1, n_steps, n_input)
y_train = np.random.randint(0, n_categories, len(X_train))


class LSTMClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(n_input)
        self.lstm = nn.LSTM(n_input, n_hidden, num_layers=2, batch_first=True, dropout=0.2)
        self.fc = nn.Linear(n_hidden, n_categories)

    def forward(self, x):                 # x: [batch, n_steps, n_input]
        x = self.bn(x.transpose(1, 2)).transpose(1, 2)
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


loader = DataLoader(TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)), batch_size=48, shuffle=True)
model = LSTMClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(2):
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
