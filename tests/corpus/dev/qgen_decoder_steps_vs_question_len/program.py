import torch
import torch.nn as nn

torch.manual_seed(0)

VOCAB = 120
EMB, HID = 32, 48
BATCH, SRC_LEN, Q_LEN = 64, 30, 20


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.GRU(EMB, HID, batch_first=True)

    def forward(self, src):
        return self.rnn(self.emb(src))


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.GRU(EMB, HID, batch_first=True)
        self.out = nn.Linear(HID, VOCAB)

    def forward(self, tgt_in, hidden):
        out, hidden = self.rnn(self.emb(tgt_in), hidden)
        return self.out(out), hidden


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = Encoder(), Decoder()

    def forward(self, sentence, question):
        _, hidden = self.encoder(sentence)
        pred, _ = self.decoder(question[:, :-1], hidden)   # teacher forcing
        return pred


def batches(n_batches):
    for _ in range(n_batches):
        yield torch.randint(1, VOCAB, (BATCH, SRC_LEN)), torch.randint(1, VOCAB, (BATCH, Q_LEN))


model = Seq2Seq()
criterion = nn.CrossEntropyLoss(ignore_index=0)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    epoch_loss = 0
    for sentence, question in batches(3):
        pred = model(sentence, question)
        loss = criterion(pred.view(-1, pred.size(2)), question.view(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        epoch_loss += loss.item()
    print('epoch', epoch, epoch_loss / 3)
