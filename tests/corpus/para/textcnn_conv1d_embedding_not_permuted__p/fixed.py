import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)

hparams = dict(n_chars=70, char_dim=50, max_len=30, filters=20, n_langs=5)


class CharCNN(nn.Module):
    def __init__(self, hp):
        super().__init__()
        self.embed = nn.Embedding(hp["n_chars"], hp["char_dim"])
        self.conv1 = nn.Conv1d(hp["char_dim"], hp["filters"], kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(hp["filters"], hp["filters"], kernel_size=3, padding=1)
        self.classify = nn.Linear(hp["filters"], hp["n_langs"])

    def embed_chars(self, chars):
        return self.embed(chars).transpose(1, 2)

    def forward(self, chars):
        e = self.embed_chars(chars)
        h = F.relu(self.conv1(e))
        h = F.relu(self.conv2(h))
        return self.classify(h.max(dim=2).values)


words = torch.randint(0, hparams["n_chars"], (48, hparams["max_len"]))
langs = torch.randint(0, hparams["n_langs"], (48,))
loader = DataLoader(TensorDataset(words, langs), batch_size=12, shuffle=True)
net = CharCNN(hparams)
opt = torch.optim.Adam(net.parameters(), lr=2e-3)
for epoch in range(2):
    for chars, lang in loader:
        loss = F.cross_entropy(net(chars), lang)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, round(loss.item(), 4))
