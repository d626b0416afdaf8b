# Sensor windows [batch, channels, time] go through a Conv1d, are put as [batch, time, features]
# and fed to a GRU built without batch_first: it recurs over the samples of each batch. Making
# the batches time-major where they are cut would break the conv, so the GRU changes instead.
import torch
import torch.nn as nn

torch.manual_seed(0)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 16, 5, padding=2)
        self.rnn = nn.GRU(16, 24)
        self.head = nn.Linear(24, 4)

    def forward(self, x):                          # [B, 3, T]
        h = torch.relu(self.conv(x)).transpose(1, 2)  # [B, T, 16]
        out, _ = self.rnn(h)
        return self.head(out)                      # [B, T, 4]


signals = torch.randn(48, 3, 30)
tags = torch.randint(0, 4, (48, 30))
model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for i in range(0, 48, 16):
        x = signals[i:i + 16]
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, 4), tags[i:i + 16].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
print("loss", round(loss.item(), 3))
