import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

N_MELS, FRAMES = 64, 64                                      # square log-mel crops


class KeywordGRU(nn.Module):
    def __init__(self, n_mels=N_MELS, hidden=64, n_keywords=12):
        super().__init__()
        self.gru = nn.GRU(n_mels, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_keywords)

    def forward(self, mel):                                  # [B, n_mels, frames]
        x = mel.permute(0, 1, 2)                             # -> [B, frames, n_mels] for the GRU
        out, h = self.gru(x)
        return self.fc(h[-1])


model = KeywordGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
mels = torch.randn(48, N_MELS, FRAMES)
labels = torch.randint(0, 12, (48,))
for epoch in range(3):
    for i in range(0, 48, 16):
        loss = F.cross_entropy(model(mels[i:i + 16]), labels[i:i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
