"""Per-step tagging: logits [B, T, C] go straight into cross_entropy, which reads dim 1 as classes
(T == C here, so nothing raises)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)


class StepTagger(nn.Module):
    def __init__(self, tags=9):
        super().__init__()
        self.rnn = nn.LSTM(5, 16, batch_first=True)
        self.tag = nn.Linear(16, tags)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.tag(out)


x = torch.randn(32, 9, 5)
y = torch.randint(0, 9, (32, 9))
model = StepTagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(x, y), batch_size=8):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
print("loss", loss.item())
