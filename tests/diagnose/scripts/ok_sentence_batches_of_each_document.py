# A hierarchical encoder: each document is a batch of its sentences (their number varies), every
# sentence padded to 30 words; the word GRU is time-major on purpose. Nothing to report.
import torch
import torch.nn as nn

torch.manual_seed(0)
WORDS = 30


class WordEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 16)
        self.gru = nn.GRU(16, 16)

    def forward(self, sents):            # [words, sentences]
        out, _ = self.gru(self.emb(sents))
        return out[-1]                    # [sentences, 16]


enc = WordEncoder()
cls = nn.Linear(16, 2)
opt = torch.optim.SGD(list(enc.parameters()) + list(cls.parameters()), lr=0.1)
for n_sents in (5, 9, 7, 12, 6):
    doc = torch.randint(0, 100, (WORDS, n_sents))
    logits = cls(enc(doc).mean(0, keepdim=True))
    loss = nn.functional.cross_entropy(logits, torch.tensor([n_sents % 2]))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", float(loss))
