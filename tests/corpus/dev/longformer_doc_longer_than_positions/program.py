import torch
import torch.nn as nn

torch.manual_seed(0)

MAX_POSITIONS = 512
HIDDEN = 32
SAMPLE_TEXT = ' '.join(['Hello world! '] * 300)
VOCAB = {'[CLS]': 0, 'hello': 1, 'world': 2, '!': 3}


def tokenizer(text):
    words = text.lower().replace('!', ' !').split()
    return [VOCAB['[CLS]']] + [VOCAB[w] for w in words]


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(len(VOCAB), HIDDEN)
        self.position_embeddings = nn.Embedding(MAX_POSITIONS, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN)

    def forward(self, input_ids):
        position_ids = torch.arange(input_ids.size(1)).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(position_ids))


class LongEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.layer = nn.TransformerEncoderLayer(HIDDEN, 2, 64, batch_first=True)

    def forward(self, input_ids, attention_mask=None):
        h = self.embeddings(input_ids)
        return self.layer(h, src_key_padding_mask=None if attention_mask is None else attention_mask == 0)


model = LongEncoder()
model.eval()
input_ids = torch.tensor([tokenizer(SAMPLE_TEXT)])
attention_mask = torch.ones(input_ids.shape, dtype=torch.long)
with torch.no_grad():
    output = model(input_ids, attention_mask=attention_mask)
print(output.shape)
