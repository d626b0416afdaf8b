# two encoders' sequence outputs [B, T, D] pulled together with a cosine loss that compares rows
import torch
import torch.nn as nn

torch.manual_seed(10)
audio_enc, text_enc = nn.GRU(8, 16, batch_first=True), nn.GRU(12, 16, batch_first=True)
proj_a, proj_t = nn.Linear(16, 16), nn.Linear(16, 16)
align = nn.CosineEmbeddingLoss()
params = [*audio_enc.parameters(), *text_enc.parameters(), *proj_a.parameters(), *proj_t.parameters()]
opt = torch.optim.Adam(params, lr=1e-3)
for step in range(2):
    a, _ = audio_enc(torch.randn(4, 9, 8))
    t, _ = text_enc(torch.randn(4, 9, 12))
    same = torch.ones(1)
    loss = align(proj_a(a), proj_t(t), same)
    loss = loss + align(a, t, same)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
