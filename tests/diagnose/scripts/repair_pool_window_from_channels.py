# max-over-time pooling whose window is read off the channel axis (32) of [N, 32, 20]
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)


class TextCNN(nn.Module):
    def __init__(self, vocab=100, emb=24, maps=32):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.conv = nn.Conv1d(emb, maps, 3, padding=1)
        self.out = nn.Linear(maps, 2)

    def forward(self, ids):
        h = F.relu(self.conv(self.emb(ids).transpose(1, 2)))
        h = F.max_pool1d(h, kernel_size=h.size(1)).squeeze(2)
        return self.out(h)


model = TextCNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(2):
    ids = torch.randint(0, 100, (5, 20))
    loss = F.cross_entropy(model(ids), torch.randint(0, 2, (5,)))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
