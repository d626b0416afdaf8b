import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(20)
np.random.seed(20)

config = {
    "emb_dim": 50,
    "hidden": 40,
    "n_slots": 7,
    "vocab": 300,
}


def load_vectors(path, vocab_size):
    """Stand-in for reading a 50-d word2vec file."""
    return np.random.randn(vocab_size, 50).astype(np.float32)


class SlotFiller(nn.Module):
    def __init__(self, vectors, cfg):
        super().__init__()
        self.words = nn.Embedding.from_pretrained(torch.from_numpy(vectors))
        self.encoder = nn.GRU(input_size=cfg["emb_dim"], hidden_size=cfg["hidden"], batch_first=True)
        self.slot = nn.Linear(cfg["hidden"], cfg["n_slots"])

    def forward(self, ids):
        states, _ = self.encoder(self.words(ids))
        return self.slot(states)


vectors = load_vectors("vectors.50d.txt", config["vocab"])
tagger = SlotFiller(vectors, config)
opt = torch.optim.Adam(tagger.parameters(), lr=1e-3)
sentences = torch.randint(0, config["vocab"], (20, 14))
slots = torch.randint(0, config["n_slots"], (20, 14))
for i in range(0, 20, 5):
    out = tagger(sentences[i:i + 5])
    loss = nn.functional.cross_entropy(out.reshape(-1, config["n_slots"]), slots[i:i + 5].reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", loss.item())
