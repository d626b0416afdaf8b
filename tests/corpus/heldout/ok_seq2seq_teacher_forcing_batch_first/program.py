import random
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
random.seed(0)

SOS, VOCAB, MAX_LEN = 1, 40, 10


class EncoderRNN(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)

    def forward(self, src):                                   # [B, S]
        return self.gru(self.embedding(src))                  # outputs [B, S, H], hidden [1, B, H]


class DecoderRNN(nn.Module):
    def __init__(self, hidden, vocab):
        super().__init__()
        self.embedding = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, encoder_hidden, target=None, teacher_forcing_ratio=0.5):
        B = encoder_hidden.size(1)
        decoder_input = torch.full((B, 1), SOS, dtype=torch.long)
        hidden, outputs = encoder_hidden, []
        for i in range(MAX_LEN):
            output, hidden = self.gru(F.relu(self.embedding(decoder_input)), hidden)
            output = self.out(output)                         # [B, 1, vocab]
            outputs.append(output)
            if target is not None and random.random() < teacher_forcing_ratio:
                decoder_input = target[:, i].unsqueeze(1)     # teacher forcing
            else:
                decoder_input = output.argmax(-1).detach()    # [B, 1]
        return F.log_softmax(torch.cat(outputs, dim=1), dim=-1)   # [B, MAX_LEN, vocab]


encoder, decoder = EncoderRNN(VOCAB, 64), DecoderRNN(64, VOCAB)
enc_opt = torch.optim.Adam(encoder.parameters(), lr=1e-3)
dec_opt = torch.optim.Adam(decoder.parameters(), lr=1e-3)
criterion = nn.NLLLoss()
src = torch.randint(2, VOCAB, (32, 12))
tgt = torch.randint(2, VOCAB, (32, MAX_LEN))
for epoch in range(3):
    _, encoder_hidden = encoder(src)
    decoder_outputs = decoder(encoder_hidden, tgt)
    loss = criterion(decoder_outputs.view(-1, VOCAB), tgt.view(-1))
    enc_opt.zero_grad()
    dec_opt.zero_grad()
    loss.backward()
    enc_opt.step()
    dec_opt.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
