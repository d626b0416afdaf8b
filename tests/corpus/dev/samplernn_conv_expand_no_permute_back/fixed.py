import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

FRAME_SIZE, DIM, N_RNN, Q_LEVELS = 8, 32, 1, 64


class FrameLevelRNN(nn.Module):
    def __init__(self, frame_size, dim, n_rnn):
        super().__init__()
        self.dim = dim
        self.input_expand = nn.Conv1d(frame_size, dim, 1)
        self.rnn = nn.GRU(dim, dim, n_rnn, batch_first=True)
        self.h0 = nn.Parameter(torch.zeros(n_rnn, dim))

    def forward(self, prev_samples, hidden):
        (batch_size, _, _) = prev_samples.size()
        # (batch, seq_len, dim) -> (batch, dim, seq_len)
        input = prev_samples.permute(0, 2, 1)
        input = self.input_expand(input).permute(0, 2, 1)
        if hidden is None:
            hidden = self.h0.unsqueeze(1).expand(-1, batch_size, self.dim).contiguous()
        (output, hidden) = self.rnn(input, hidden)
        return output, hidden


class SampleLevelMLP(nn.Module):
    def __init__(self, dim, q_levels):
        super().__init__()
        self.out = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, q_levels))

    def forward(self, conditioning):
        return F.log_softmax(self.out(conditioning), dim=-1)


frame_rnn, mlp = FrameLevelRNN(FRAME_SIZE, DIM, N_RNN), SampleLevelMLP(DIM, Q_LEVELS)
params = list(frame_rnn.parameters()) + list(mlp.parameters())
optimizer = torch.optim.Adam(params, lr=1e-3)
audio = torch.randint(0, Q_LEVELS, (4, 16 * FRAME_SIZE + 1))
for step in range(2):
    frames = (audio[:, :-1].float() / Q_LEVELS * 2 - 1).view(4, 16, FRAME_SIZE)   # (batch, seq_len, frame)
    out, _ = frame_rnn(frames, None)
    logp = mlp(out)                                                            # one prediction per frame
    target = audio[:, FRAME_SIZE::FRAME_SIZE]
    loss = F.nll_loss(logp.reshape(-1, Q_LEVELS), target.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
