import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)

# data params
num_datapoints = 800
test_size = 0.25
input_size = 20          # number of previous values used to predict the next one
num_train = int((1 - test_size) * num_datapoints)

# network params
lstm_input_size = 1      # per_element = True: one value per time step
h1 = 20
num_layers = 2
learning_rate = 1e-2
num_epochs = 30


def make_ar_series(n, num_prev, coeffs):
    """Autoregressive series: x_t = sum_k coeffs[k] * x_{t-k-1} + noise."""
    x = np.zeros(n + num_prev)
    x[:num_prev] = np.random.randn(num_prev)
    for t in range(num_prev, n + num_prev):
        x[t] = np.dot(coeffs, x[t - num_prev:t][::-1]) + 0.1 * np.random.randn()
    X = np.stack([x[t - num_prev:t] for t in range(num_prev, n + num_prev)])
    y = x[num_prev:]
    return X.astype(np.float32), y.astype(np.float32)


coeffs = np.random.uniform(-0.2, 0.2, input_size)
X, y = make_ar_series(num_datapoints, input_size, coeffs)
X_train = torch.from_numpy(X[:num_train])
X_test = torch.from_numpy(X[num_train:])
y_train = torch.from_numpy(y[:num_train])
y_test = torch.from_numpy(y[num_train:])

# (seq_len, batch, features): every window is one sequence of input_size steps
X_train = X_train.t().contiguous().view(input_size, -1, 1)
X_test = X_test.t().contiguous().view(input_size, -1, 1)


class LSTM(nn.Module):
    def __init__(self, input_dim, hidden_dim, batch_size, output_dim=1, num_layers=2):
        super(LSTM, self).__init__()
        self.input_dim = input_dim
        self.hidden_dim = hidden_dim
        self.batch_size = batch_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(self.input_dim, self.hidden_dim, self.num_layers)
        self.linear = nn.Linear(self.hidden_dim, output_dim)

    def init_hidden(self, batch_size):
        return (torch.zeros(self.num_layers, batch_size, self.hidden_dim),
                torch.zeros(self.num_layers, batch_size, self.hidden_dim))

    def forward(self, input):
        lstm_out, self.hidden = self.lstm(input.view(len(input), -1, self.input_dim), self.hidden)
        y_pred = self.linear(lstm_out[-1].view(-1, self.hidden_dim))
        return y_pred.view(-1)


model = LSTM(lstm_input_size, h1, batch_size=num_train, output_dim=1, num_layers=num_layers)
loss_fn = torch.nn.MSELoss(reduction='sum')
optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)

for t in range(num_epochs):
    model.zero_grad()
    model.hidden = model.init_hidden(num_train)
    y_pred = model(X_train)
    loss = loss_fn(y_pred, y_train)
    if t % 10 == 0:
        print("Epoch", t, "MSE:", round(loss.item(), 3))
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()

# predict the held-out windows
model.eval()
with torch.no_grad():
    model.hidden = model.init_hidden(model.batch_size)
    y_test_pred = model(X_test)
    test_mse = torch.mean((y_test_pred - y_test) ** 2).item()
print("test MSE: %.4f" % test_mse)
