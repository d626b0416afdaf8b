import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

# estimator settings (copied from the README example)
ESTIMATOR_KW = dict(
    freq="B",
    prediction_length=14,
    context_length=28,
    input_size=43,
    num_cells=40,
    num_layers=2,
    batch_size=32,
)

LAGS_SEQ = {"H": [1, 2, 3, 4, 5, 6, 7, 23, 24, 25, 47, 48, 49, 71, 72, 73, 95, 96, 97,
                  119, 120, 121, 143, 144, 145, 167, 168, 169, 335, 336, 337],
            "B": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20]}
TIME_FEATURES = {"H": 4, "B": 3}  # hour/day-of-week/day-of-month/day-of-year vs day-of-week/month/year


class DeepARNetwork(nn.Module):
    def __init__(self, input_size, num_cells, num_layers, lags_seq, context_length, prediction_length):
        super().__init__()
        self.lags_seq = lags_seq
        self.context_length = context_length
        self.prediction_length = prediction_length
        self.rnn = nn.LSTM(input_size=input_size, hidden_size=num_cells, num_layers=num_layers,
                           batch_first=True, dropout=0.1)
        self.proj_distr_args = nn.Linear(num_cells, 2)

    def lagged_sequence(self, past_target, length):
        lagged = [past_target[:, -l - length:-l] for l in self.lags_seq]
        return torch.stack(lagged, dim=-1)                           # [B, T, n_lags]

    def forward(self, past_target, time_feat, age):
        T = self.context_length + self.prediction_length
        scale = past_target[:, -T:].abs().mean(dim=1, keepdim=True) + 1.0
        lags = self.lagged_sequence(past_target / scale, T)
        log_scale = torch.log(scale).unsqueeze(1).expand(-1, T, 1)
        inputs = torch.cat([lags, time_feat, age, log_scale], dim=-1)  # [B, T, n_lags + n_time + 1 + 1]
        outputs, _ = self.rnn(inputs)
        mu, sigma = self.proj_distr_args(outputs).unbind(-1)
        return mu, nn.functional.softplus(sigma) + 1e-3


def make_training_data(n_series, freq, context_length, prediction_length):
    history = max(LAGS_SEQ[freq]) + context_length + prediction_length
    target = torch.cumsum(torch.randn(n_series, history + 1), dim=1) + 100.0   # AMZN-like closing prices
    T = context_length + prediction_length
    time_feat = torch.rand(n_series, T, TIME_FEATURES[freq]) - 0.5
    age = torch.log10(2.0 + torch.arange(T, dtype=torch.float32)).view(1, T, 1).expand(n_series, T, 1)
    return target, time_feat, age.contiguous()


cfg = ESTIMATOR_KW
target, time_feat, age = make_training_data(64, cfg["freq"], cfg["context_length"], cfg["prediction_length"])
loader = DataLoader(TensorDataset(target, time_feat, age), batch_size=cfg["batch_size"], shuffle=True)
net = DeepARNetwork(cfg["input_size"], cfg["num_cells"], cfg["num_layers"], LAGS_SEQ[cfg["freq"]],
                    cfg["context_length"], cfg["prediction_length"])
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

for epoch in range(2):
    for past_target, tf, ag in loader:
        mu, sigma = net(past_target, tf, ag)
        T = cfg["context_length"] + cfg["prediction_length"]
        y = past_target[:, -T:] / (past_target[:, -T:].abs().mean(dim=1, keepdim=True) + 1.0)
        loss = -torch.distributions.Normal(mu, sigma).log_prob(y).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'nll', loss.item())
