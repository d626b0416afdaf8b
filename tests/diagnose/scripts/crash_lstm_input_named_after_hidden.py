"""A tagger reads its sizes from a config dict; the LSTM's input size was written as the hidden
size, while the embedding before it makes config["emb"] features."""
import torch
import torch.nn as nn

config = {"vocab": 120, "emb": 48, "hidden": 32, "tags": 6}


class Tagger(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg["vocab"], cfg["emb"])
        self.lstm = nn.LSTM(cfg["hidden"], cfg["hidden"], batch_first=True)
        self.out = nn.Linear(cfg["hidden"], cfg["tags"])

    def forward(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        return self.out(h)


torch.manual_seed(0)
tokens = torch.randint(0, config["vocab"], (8, 15))
tags = torch.randint(0, config["tags"], (8, 15))
model = Tagger(config)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(3):
    loss = nn.functional.cross_entropy(model(tokens).reshape(-1, config["tags"]), tags.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
