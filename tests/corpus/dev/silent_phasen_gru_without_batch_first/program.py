import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

N_FREQ, N_FRAMES = 33, 40


class FTB(nn.Module):
    """Frequency transformation block (simplified): attention over frequency, per channel."""
    def __init__(self, channels, n_freq):
        super().__init__()
        self.att = nn.Sequential(nn.Conv2d(channels, 4, 1), nn.BatchNorm2d(4), nn.ReLU())
        self.freq_fc = nn.Linear(n_freq, n_freq, bias=False)
        self.out = nn.Sequential(nn.Conv2d(2 * channels, channels, 1), nn.BatchNorm2d(channels), nn.ReLU())

    def forward(self, x):                                      # [B, C, T, F]
        a = torch.sigmoid(self.att(x).mean(1, keepdim=True))
        y = self.freq_fc(x * a)
        return self.out(torch.cat([x, y], dim=1))


class PHASEN(nn.Module):
    def __init__(self, ch_a=12, ch_r=8, hidden=64):
        super().__init__()
        self.conv_a = nn.Conv2d(2, ch_a, (5, 5), padding=2)
        self.ftb = FTB(ch_a, N_FREQ)
        self.conv_r = nn.Conv2d(ch_a, ch_r, 1)
        self.rnn = nn.GRU(ch_r * N_FREQ, hidden, bidirectional=True)
        self.fcs = nn.Sequential(nn.Linear(2 * hidden, 128), nn.ReLU(), nn.Linear(128, N_FREQ), nn.Sigmoid())

    def forward(self, spec):                                   # [B, 2, T, F] real/imag
        s = self.ftb(F.relu(self.conv_a(spec)))
        s = self.conv_r(s)                                     # [B, C, T, F]
        B, D, T, C = s.size()
        s = s.permute(0, 2, 1, 3).reshape(B, T, D * C)         # [B, T, D*C]
        s, _ = self.rnn(s)
        mask = self.fcs(s)                                     # [B, T, F]
        return spec * mask.unsqueeze(1)


utterances = [torch.randn(2, N_FRAMES, N_FREQ) for _ in range(24)]
cleans = [u * torch.rand(1, N_FRAMES, N_FREQ) for u in utterances]
model = PHASEN()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
batch_size = 12
for epoch in range(2):
    perm = torch.randperm(len(utterances)).tolist()
    for start in range(0, len(perm), batch_size):
        idx = perm[start:start + batch_size]
        noisy = torch.stack([utterances[i] for i in idx])
        clean = torch.stack([cleans[i] for i in idx])
        est = model(noisy)
        loss = F.mse_loss(est, clean)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
