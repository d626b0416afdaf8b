# Prototypical-network episodes: [ways, shots, features] folded into one batch for the encoder,
# whose L2 normalisation has no dim, so it divides by the norm of the whole episode.
import torch
import torch.nn as nn

torch.manual_seed(0)
WAYS, SHOTS, FEATS = 5, 4, 30


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(FEATS, 64), nn.ReLU(), nn.Linear(64, 32))

    def forward(self, x):
        z = self.body(x)
        return z / z.norm()


enc = Encoder()
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
centres = torch.randn(20, FEATS)
for step in range(5):
    classes = torch.randperm(20)[:WAYS]
    episode = centres[classes][:, None, :] + 0.3 * torch.randn(WAYS, SHOTS, FEATS)
    z = enc(episode.reshape(WAYS * SHOTS, FEATS)).reshape(WAYS, SHOTS, -1)
    protos = z.mean(1)
    logits = -torch.cdist(z.reshape(WAYS * SHOTS, -1), protos)
    loss = nn.functional.cross_entropy(logits, torch.arange(WAYS).repeat_interleave(SHOTS))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", float(loss))
