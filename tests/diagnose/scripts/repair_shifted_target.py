import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
V, H = 40, 16


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, H)
        self.rnn = nn.GRU(H, H, batch_first=True)
        self.out = nn.Linear(H, V)

    def forward(self, tokens):
        states, _ = self.rnn(self.emb(tokens))
        return self.out(states)


dec = Decoder()
for _ in range(2):
    caption = torch.randint(1, V, (6, 11))
    logits = dec(caption[:, :-1])     # teacher forcing
    loss = F.cross_entropy(logits.reshape(-1, V), caption.reshape(-1))
    loss.backward()
print("done")
