import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

HIDDEN = 32
BATCH = 5
MAX_LEN = 7


class Attn(nn.Module):
    def __init__(self, method, hidden_size):
        super().__init__()
        self.method = method
        self.attn = nn.Linear(hidden_size, hidden_size)

    def forward(self, hidden, encoder_outputs):
        max_len, this_batch_size = encoder_outputs.size(0), encoder_outputs.size(1)
        attn_energies = torch.zeros(this_batch_size, max_len)
        for i in range(max_len):
            attn_energies[:, i] = self.score(hidden, encoder_outputs[i])
        return F.softmax(attn_energies, dim=1).unsqueeze(1)

    def score(self, hidden, encoder_output):
        if self.method == 'dot':
            return (hidden * encoder_output).sum(dim=1)
        elif self.method == 'general':
            energy = self.attn(encoder_output)
            energy = hidden.dot(energy)
            return energy


class LuongAttnDecoderRNN(nn.Module):
    def __init__(self, attn_model, hidden_size, output_size):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size)
        self.concat = nn.Linear(hidden_size * 2, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)
        self.attn = Attn(attn_model, hidden_size)

    def forward(self, input_seq, last_hidden, encoder_outputs):
        embedded = self.embedding(input_seq).unsqueeze(0)                   # [1, B, H]
        rnn_output, hidden = self.gru(embedded, last_hidden)
        attn_weights = self.attn(rnn_output.squeeze(0), encoder_outputs)    # [B, 1, T]
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1))         # [B, 1, H]
        concat_input = torch.cat((rnn_output.squeeze(0), context.squeeze(1)), 1)
        output = self.out(torch.tanh(self.concat(concat_input)))
        return output, hidden, attn_weights


encoder = nn.GRU(HIDDEN, HIDDEN)
src_embed = nn.Embedding(50, HIDDEN)
decoder = LuongAttnDecoderRNN('general', HIDDEN, 60)
params = list(encoder.parameters()) + list(src_embed.parameters()) + list(decoder.parameters())
optimizer = torch.optim.Adam(params, lr=1e-3)

input_batches = torch.randint(0, 50, (MAX_LEN, BATCH))
target_batches = torch.randint(0, 60, (6, BATCH))
encoder_outputs, encoder_hidden = encoder(src_embed(input_batches))
decoder_input = torch.zeros(BATCH, dtype=torch.long)
decoder_hidden = encoder_hidden
loss = 0
for t in range(target_batches.size(0)):
    decoder_output, decoder_hidden, _ = decoder(decoder_input, decoder_hidden, encoder_outputs)
    loss = loss + F.cross_entropy(decoder_output, target_batches[t])
    decoder_input = target_batches[t]
optimizer.zero_grad()
loss.backward()
optimizer.step()
print('loss', loss.item() / target_batches.size(0))
