"""A speaker embedder L2-normalises its embeddings with one norm for the whole batch: every
embedding is divided by the norm of all of them, so each sample's scale depends on the others."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class Embedder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(20, 32, batch_first=True)
        self.proj = nn.Linear(32, 16)

    def forward(self, frames):
        out, _ = self.lstm(frames)
        x = self.proj(out[:, -1])
        x = x / torch.norm(x)
        return x


data = TensorDataset(torch.randn(48, 12, 20), torch.randint(0, 4, (48,)))
model = Embedder()
centroids = nn.Parameter(torch.randn(4, 16))
opt = torch.optim.Adam(list(model.parameters()) + [centroids], lr=1e-2)
for frames, speaker in DataLoader(data, batch_size=12, shuffle=True):
    loss = nn.functional.cross_entropy(model(frames) @ centroids.t() * 10, speaker)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
