import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

feats = torch.randn(48, 36, 13)
labels = torch.randint(1, 20, (48, 8))


class Acoustic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(13, 48, batch_first=True)
        self.head = nn.Linear(48, 20)

    def forward(self, x):
        seq, _ = self.lstm(x)
        return self.head(seq)


model = Acoustic()
ctc = nn.CTCLoss(blank=0)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for x, y in DataLoader(TensorDataset(feats, labels), batch_size=12):
    out = model(x)
    n, frames = x.shape[0], x.shape[1]
    log_probs = out.log_softmax(2).view(frames, n, -1)
    loss = ctc(log_probs, y, torch.full((n,), frames, dtype=torch.long), torch.full((n,), 8, dtype=torch.long))
    opt.zero_grad()
    loss.backward()
    opt.step()
print('ctc', loss.item())
