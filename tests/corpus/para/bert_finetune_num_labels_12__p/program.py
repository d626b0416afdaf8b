import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)

TOPICS = ["sports", "politics", "tech", "health", "finance", "travel", "food", "music", "science"]


def get_args():
    p = argparse.ArgumentParser(description="topic classifier")
    p.add_argument("--vocab", type=int, default=500)
    p.add_argument("--seq-len", type=int, default=20)
    p.add_argument("--num-classes", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=10)
    return p.parse_args()


class GRUTopicClassifier(nn.Module):
    def __init__(self, vocab, n_out, emb=24, hid=48):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        self.rnn = nn.GRU(emb, hid, batch_first=True)
        self.out = nn.Linear(hid, n_out)

    def forward(self, tokens, labels=None):
        _, h = self.rnn(self.emb(tokens))
        logits = self.out(h[-1])
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


args = get_args()
n_docs = 60
docs = torch.randint(1, args.vocab, (n_docs, args.seq_len))
topic_ids = torch.arange(n_docs) % len(TOPICS)
loader = DataLoader(TensorDataset(docs, topic_ids), batch_size=args.batch_size, shuffle=True)
model = GRUTopicClassifier(args.vocab, args.num_classes)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(2):
    for tokens, topics in loader:
        out = model(tokens, labels=topics)
        opt.zero_grad()
        out["loss"].backward()
        opt.step()
    print("epoch", epoch, out["loss"].item())
