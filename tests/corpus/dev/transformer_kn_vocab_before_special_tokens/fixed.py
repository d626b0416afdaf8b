import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

START_TOKEN, END_TOKEN, PADDING_TOKEN = '<START>', '<END>', '<PAD>'
kannada_vocabulary = list('abcdefghij')
VOCAB_SIZE = len(kannada_vocabulary) + 3
kannada_vocabulary += [START_TOKEN, END_TOKEN, PADDING_TOKEN]
kannada_to_index = {ch: i for i, ch in enumerate(kannada_vocabulary)}
MAX_LEN = 12
D_MODEL = 32


def tokenize(sentence, start_token=True, end_token=True):
    ids = [kannada_to_index[c] for c in sentence]
    if start_token:
        ids.insert(0, kannada_to_index[START_TOKEN])
    if end_token:
        ids.append(kannada_to_index[END_TOKEN])
    ids += [kannada_to_index[PADDING_TOKEN]] * (MAX_LEN - len(ids))
    return torch.tensor(ids)


class SentenceEmbedding(nn.Module):
    def __init__(self, vocab_size, d_model, max_len):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.position = nn.Parameter(torch.randn(max_len, d_model) * 0.02)

    def forward(self, batch):
        return self.embedding(batch) + self.position


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.sentence_embedding = SentenceEmbedding(VOCAB_SIZE, D_MODEL, MAX_LEN)
        self.layer = nn.TransformerDecoderLayer(D_MODEL, 4, 64, batch_first=True)
        self.linear = nn.Linear(D_MODEL, len(kannada_vocabulary))

    def forward(self, memory, kn_batch, mask):
        y = self.sentence_embedding(kn_batch)
        return self.linear(self.layer(y, memory, tgt_mask=mask))


decoder = Decoder()
optim = torch.optim.Adam(decoder.parameters(), lr=1e-4)
causal = nn.Transformer.generate_square_subsequent_mask(MAX_LEN)
kn_sentences = ['abcde', 'jihgfed', 'aabbcc', 'fghij']
for epoch in range(2):
    kn_batch = torch.stack([tokenize(s) for s in kn_sentences])
    memory = torch.randn(len(kn_sentences), MAX_LEN, D_MODEL)
    kn_predictions = decoder(memory, kn_batch, causal)
    labels = torch.stack([tokenize(s, start_token=False) for s in kn_sentences])
    loss = F.cross_entropy(kn_predictions.view(-1, len(kannada_vocabulary)), labels.view(-1),
                           ignore_index=kannada_to_index[PADDING_TOKEN])
    optim.zero_grad()
    loss.backward()
    optim.step()
    print('epoch', epoch, loss.item())
