# Sequence classifier whose last-step read indexes the hidden units instead of the steps. It runs
# because the windows are as long as the hidden state is wide.
import torch
import torch.nn as nn

torch.manual_seed(0)
STEPS, HIDDEN = 24, 24


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, HIDDEN, batch_first=True)
        self.head = nn.Sequential(nn.Linear(HIDDEN, 12), nn.ReLU(), nn.Linear(12, 3))

    def forward(self, x):
        seq, _ = self.lstm(x)
        last = seq[..., -1]
        return self.head(last)


windows = torch.randn(40, STEPS, 6)
labels = torch.randint(0, 3, (40,))
model = Tagger()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for start in range(0, 40, 8):
    logits = model(windows[start:start + 8])
    loss = nn.functional.cross_entropy(logits, labels[start:start + 8])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", float(loss))
