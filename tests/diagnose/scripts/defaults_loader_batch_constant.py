"""The sequence model folds frames back with the batch-size constant; the validation loader's
last batch is partial (the training loader drops it)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
BATCH = 8
FRAMES = 5

enc = nn.Linear(6, 4)
head = nn.Linear(FRAMES * 4, 1)
opt = torch.optim.Adam(list(enc.parameters()) + list(head.parameters()))


def score(clips):
    z = enc(clips.reshape(-1, 6)).reshape(BATCH, FRAMES * 4)
    return head(z).squeeze(-1)


train = DataLoader(TensorDataset(torch.randn(24, FRAMES, 6), torch.randn(24)), batch_size=BATCH, drop_last=True)
val = DataLoader(TensorDataset(torch.randn(13, FRAMES, 6), torch.randn(13)), batch_size=BATCH)
for clips, y in train:
    loss = nn.functional.mse_loss(score(clips), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
with torch.no_grad():
    total = sum(nn.functional.mse_loss(score(clips), y).item() for clips, y in val)
print("val", total)
