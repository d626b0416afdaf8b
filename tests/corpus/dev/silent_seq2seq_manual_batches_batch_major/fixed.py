import random
import torch
import torch.nn as nn

torch.manual_seed(0)
random.seed(0)

SRC_VOCAB, TRG_VOCAB, LEN, BATCH = 50, 50, 12, 16


class Encoder(nn.Module):
    def __init__(self, input_dim, emb_dim, hid_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, emb_dim)
        self.rnn = nn.GRU(emb_dim, hid_dim)

    def forward(self, src):                                  # src = [src len, batch size]
        outputs, hidden = self.rnn(self.embedding(src))
        return hidden


class Decoder(nn.Module):
    def __init__(self, output_dim, emb_dim, hid_dim):
        super().__init__()
        self.output_dim = output_dim
        self.embedding = nn.Embedding(output_dim, emb_dim)
        self.rnn = nn.GRU(emb_dim, hid_dim)
        self.fc_out = nn.Linear(hid_dim, output_dim)

    def forward(self, input, hidden):                        # input = [batch size]
        output, hidden = self.rnn(self.embedding(input.unsqueeze(0)), hidden)
        return self.fc_out(output.squeeze(0)), hidden


class Seq2Seq(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def forward(self, src, trg, teacher_forcing_ratio=0.5):  # [len, batch] both
        trg_len, batch_size = trg.shape
        outputs = torch.zeros(trg_len, batch_size, self.decoder.output_dim)
        hidden = self.encoder(src)
        input = trg[0, :]
        for t in range(1, trg_len):
            output, hidden = self.decoder(input, hidden)
            outputs[t] = output
            input = trg[t] if random.random() < teacher_forcing_ratio else output.argmax(1)
        return outputs


src_data = torch.randint(2, SRC_VOCAB, (96, LEN))            # one sentence per row
trg_data = torch.cat([torch.ones(96, 1, dtype=torch.long), src_data.flip(1)[:, :LEN - 1]], dim=1)
model = Seq2Seq(Encoder(SRC_VOCAB, 32, 64), Decoder(TRG_VOCAB, 32, 64))
optimizer = torch.optim.Adam(model.parameters())
criterion = nn.CrossEntropyLoss()
for epoch in range(2):
    for i in range(0, 96, BATCH):
        src, trg = src_data[i:i + BATCH].t(), trg_data[i:i + BATCH].t()
        output = model(src, trg)
        loss = criterion(output[1:].reshape(-1, TRG_VOCAB), trg[1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1)
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
