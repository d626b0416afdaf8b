import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

LAGS_SEQ = [1, 2, 3, 4, 5, 6, 7]
NUM_TIME_FEATURES = 5
EMBEDDING_DIM = 48
NUM_SERIES = 10
CONTEXT, PRED = 24, 6


class DeepARNetwork(nn.Module):
    def __init__(self, num_cells=32, num_layers=2):
        super().__init__()
        input_size = len(LAGS_SEQ) + NUM_TIME_FEATURES + 2
        self.embedder = nn.Embedding(NUM_SERIES, EMBEDDING_DIM)
        self.rnn = nn.LSTM(input_size=input_size, hidden_size=num_cells, num_layers=num_layers, batch_first=True)
        self.proj = nn.Linear(num_cells, 2)

    def unroll_encoder(self, feat_static_cat, past_target, time_feat):
        scale = past_target.abs().mean(dim=1, keepdim=True).clamp(min=1e-3)
        T = CONTEXT
        lags = torch.stack([past_target[:, max(LAGS_SEQ) - l: max(LAGS_SEQ) - l + T] for l in LAGS_SEQ], dim=-1)
        lags = lags / scale.unsqueeze(-1)
        emb = self.embedder(feat_static_cat).unsqueeze(1).expand(-1, T, -1)
        log_scale = scale.log().unsqueeze(1).expand(-1, T, 1)
        age = torch.linspace(0, 1, T).view(1, T, 1).expand(past_target.size(0), -1, -1)
        inputs = torch.cat((lags, time_feat[:, :T], emb, log_scale, age), dim=-1)
        outputs, state = self.rnn(inputs)
        return outputs, scale

    def forward(self, feat_static_cat, past_target, time_feat):
        outputs, scale = self.unroll_encoder(feat_static_cat, past_target, time_feat)
        mu, sigma = self.proj(outputs).unbind(-1)
        return mu * scale, F.softplus(sigma) * scale


net = DeepARNetwork()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(3):
    series = torch.randint(0, NUM_SERIES, (8,))
    past = torch.rand(8, max(LAGS_SEQ) + CONTEXT + 1) * 10
    time_feat = torch.randn(8, CONTEXT + PRED, NUM_TIME_FEATURES)
    mu, sigma = net(series, past, time_feat)
    target = past[:, max(LAGS_SEQ) + 1:max(LAGS_SEQ) + 1 + CONTEXT]
    loss = -torch.distributions.Normal(mu, sigma).log_prob(target).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, loss.item())
