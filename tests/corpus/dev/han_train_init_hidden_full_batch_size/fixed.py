import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(123)


def get_args():
    p = argparse.ArgumentParser('Hierarchical Attention Networks for Document Classification')
    p.add_argument('--batch_size', type=int, default=32)
    p.add_argument('--num_epoches', type=int, default=1)
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--word_hidden_size', type=int, default=50)
    p.add_argument('--sent_hidden_size', type=int, default=50)
    return p.parse_args([])


class AttGRU(nn.Module):
    """Bidirectional GRU over a time-major sequence followed by additive attention pooling."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size, bidirectional=True)
        self.att = nn.Linear(2 * hidden_size, 1)

    def forward(self, x, h):
        out, h = self.gru(x, h)                     # [T, B, 2H]
        alpha = F.softmax(self.att(torch.tanh(out)), dim=0)
        return (alpha * out).sum(0, keepdim=True), h


class HierAttNet(nn.Module):
    def __init__(self, vocab, emb_dim, word_hidden, sent_hidden, batch_size, num_classes):
        super().__init__()
        self.batch_size = batch_size
        self.word_hidden, self.sent_hidden = word_hidden, sent_hidden
        self.embed = nn.Embedding(vocab, emb_dim)
        self.word_att = AttGRU(emb_dim, word_hidden)
        self.sent_att = AttGRU(2 * word_hidden, sent_hidden)
        self.fc = nn.Linear(2 * sent_hidden, num_classes)
        self._init_hidden_state()

    def _init_hidden_state(self, last_batch_size=None):
        batch_size = last_batch_size if last_batch_size else self.batch_size
        self.word_hidden_state = torch.zeros(2, batch_size, self.word_hidden)
        self.sent_hidden_state = torch.zeros(2, batch_size, self.sent_hidden)

    def forward(self, docs):                        # [B, n_sent, n_word]
        sent_vecs = []
        for sent in docs.permute(1, 0, 2):          # [B, n_word]
            v, self.word_hidden_state = self.word_att(self.embed(sent.t()), self.word_hidden_state)
            sent_vecs.append(v)
        doc, self.sent_hidden_state = self.sent_att(torch.cat(sent_vecs, 0), self.sent_hidden_state)
        return self.fc(doc.squeeze(0))


opt = get_args()
docs = torch.randint(0, 400, (200, 6, 12))         # 200 documents, 6 sentences of 12 words
labels = torch.randint(0, 4, (200,))
training_generator = DataLoader(TensorDataset(docs, labels), batch_size=opt.batch_size, shuffle=True, drop_last=False)
model = HierAttNet(400, 32, opt.word_hidden_size, opt.sent_hidden_size, opt.batch_size, 4)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=opt.lr, momentum=0.9)
model.train()
for epoch in range(opt.num_epoches):
    for it, (feature, label) in enumerate(training_generator):
        optimizer.zero_grad()
        model._init_hidden_state(len(label))
        predictions = model(feature)
        loss = criterion(predictions, label)
        loss.backward()
        optimizer.step()
    print('epoch', epoch + 1, 'loss', loss.item())
