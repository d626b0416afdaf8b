import random

import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(0)
torch.manual_seed(0)

WORDS = ['w%d' % i for i in range(300)]


class Field:
    """Minimal torchtext-style field: tokenise, add optional boundary tokens, build a vocabulary, pad."""

    def __init__(self, lower=True, init_token=None, eos_token=None):
        self.lower, self.init_token, self.eos_token = lower, init_token, eos_token

    def preprocess(self, text):
        toks = (text.lower() if self.lower else text).split()
        return ([self.init_token] if self.init_token else []) + toks + ([self.eos_token] if self.eos_token else [])

    def build_vocab(self, examples):
        self.itos = ['<pad>', '<unk>'] + sorted({t for ex in examples for t in ex})
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def process(self, batch):
        n = max(len(ex) for ex in batch)
        return torch.tensor([[self.stoi.get(t, 1) for t in ex] + [0] * (n - len(ex)) for ex in batch])


def bucket_iterator(examples, labels, batch_size):
    """Like torchtext's BucketIterator: batches of similar length, shortest first."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i]))
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        yield [examples[i] for i in idx], torch.tensor([labels[i] for i in idx])


class CNN_Text(nn.Module):
    def __init__(self, embed_num, embed_dim=128, class_num=5, kernel_num=32, kernel_sizes=(3, 4, 5)):
        super().__init__()
        self.embed = nn.Embedding(embed_num, embed_dim)
        self.convs1 = nn.ModuleList([nn.Conv2d(1, kernel_num, (K, embed_dim)) for K in kernel_sizes])
        self.fc1 = nn.Linear(len(kernel_sizes) * kernel_num, class_num)

    def forward(self, x):
        x = self.embed(x).unsqueeze(1)                                  # (N, 1, W, D)
        x = [F.relu(conv(x)).squeeze(3) for conv in self.convs1]        # [(N, Co, W - K + 1), ...]
        x = [F.max_pool1d(i, i.size(2)).squeeze(2) for i in x]          # [(N, Co), ...]
        return self.fc1(torch.cat(x, 1))


# SST-like phrases: many one- to three-word phrases next to full sentences
sentences = [' '.join(random.choices(WORDS, k=random.randint(1, 3))) for _ in range(16)]
sentences += [' '.join(random.choices(WORDS, k=random.randint(6, 20))) for _ in range(48)]
labels = [random.randrange(5) for _ in sentences]

text_field = Field(lower=True, init_token='<SOS>', eos_token='<EOS>')
examples = [text_field.preprocess(s) for s in sentences]
text_field.build_vocab(examples)
model = CNN_Text(len(text_field.itos))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for batch, target in bucket_iterator(examples, labels, batch_size=16):
        logit = model(text_field.process(batch))
        loss = F.cross_entropy(logit, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
