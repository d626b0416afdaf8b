import random

import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(0)
torch.manual_seed(0)

SOS_token, PAD_token = 1, 0


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, n_layers=1):
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers)

    def forward(self, input_seqs):                         # S x B
        return self.gru(self.embedding(input_seqs))        # outputs S x B x N, hidden L x B x N


class Attn(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.attn = nn.Linear(hidden_size, hidden_size)

    def forward(self, hidden, encoder_outputs):           # hidden B x N, encoder_outputs S x B x N
        energies = torch.einsum('bn,sbn->bs', hidden, self.attn(encoder_outputs))
        return F.softmax(energies, dim=1).unsqueeze(1)     # B x 1 x S


class BahdanauAttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, n_layers=1, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.dropout = nn.Dropout(dropout_p)
        self.attn = Attn(hidden_size)
        self.gru = nn.GRU(hidden_size * 2, hidden_size, n_layers, dropout=dropout_p if n_layers > 1 else 0)
        self.out = nn.Linear(hidden_size * 2, output_size)

    def forward(self, word_input, last_hidden, encoder_outputs):
        word_embedded = self.embedding(word_input).view(1, 1, -1)  # S=1 x B x N
        word_embedded = self.dropout(word_embedded)
        attn_weights = self.attn(last_hidden[-1], encoder_outputs)
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1)).transpose(0, 1)   # 1 x B x N
        rnn_input = torch.cat((word_embedded, context), 2)
        output, hidden = self.gru(rnn_input, last_hidden)
        output = self.out(torch.cat((output.squeeze(0), context.squeeze(0)), 1))
        return output, hidden, attn_weights


def random_batch(batch_size, n_src=300, n_tgt=400):
    src = torch.randint(2, n_src, (10, batch_size))       # S x B, padded
    tgt = torch.randint(2, n_tgt, (8, batch_size))
    return src, tgt


encoder = EncoderRNN(300, 64)
decoder = BahdanauAttnDecoderRNN(64, 400)
params = list(encoder.parameters()) + list(decoder.parameters())
optimizer = torch.optim.Adam(params, lr=1e-3)
small_batch_size = 4
for it in range(2):
    input_batches, target_batches = random_batch(small_batch_size)
    encoder_outputs, encoder_hidden = encoder(input_batches)
    decoder_input = torch.LongTensor([SOS_token] * small_batch_size)
    decoder_hidden = encoder_hidden
    loss = 0
    for t in range(target_batches.size(0)):
        decoder_output, decoder_hidden, _ = decoder(decoder_input, decoder_hidden, encoder_outputs)
        loss = loss + F.cross_entropy(decoder_output, target_batches[t])
        decoder_input = target_batches[t]
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('iter', it, 'loss', round(loss.item() / target_batches.size(0), 4))
