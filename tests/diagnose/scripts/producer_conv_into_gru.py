import torch
import torch.nn as nn


class Tier(nn.Module):
    def __init__(self):
        super().__init__()
        self.expand = nn.Conv1d(4, 12, 1)
        self.rnn = nn.GRU(12, 12, batch_first=True)

    def forward(self, frames):
        x = frames.permute(0, 2, 1)
        x = self.expand(x)
        out, _ = self.rnn(x)
        return out


tier = Tier()
print(tier(torch.randn(2, 9, 4)).shape)
