import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class Config:
    bert_name = 'bert-base-cased'
    bert_hid_size = 1024
    lstm_hid_size = 64
    label_num = 5
    vocab_size = 400


class TinyBert(nn.Module):
    """Stand-in for AutoModel.from_pretrained(bert-base-cased): hidden size 768, 1 layer."""
    def __init__(self, vocab, hidden=768):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, hidden)
        self.layer = nn.TransformerEncoderLayer(hidden, 4, 256, batch_first=True)

    def forward(self, input_ids, attention_mask):
        h = self.layer(self.embeddings(input_ids), src_key_padding_mask=attention_mask == 0)
        return (h,)


class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.bert = TinyBert(config.vocab_size)
        self.encoder = nn.LSTM(config.bert_hid_size, config.lstm_hid_size // 2, num_layers=1,
                               batch_first=True, bidirectional=True)
        self.predictor = nn.Linear(config.lstm_hid_size * 2, config.label_num)

    def forward(self, bert_inputs, attention_mask):
        bert_embs = self.bert(bert_inputs, attention_mask=attention_mask)[0]
        word_reps, _ = self.encoder(bert_embs)
        n = word_reps.size(1)
        pair = torch.cat([word_reps.unsqueeze(2).expand(-1, -1, n, -1),
                          word_reps.unsqueeze(1).expand(-1, n, -1, -1)], dim=-1)
        return self.predictor(pair)                       # [B, L, L, label_num]


config = Config()
ids = torch.randint(1, config.vocab_size, (8, 10))
mask = torch.ones(8, 10, dtype=torch.long)
grid_labels = torch.randint(0, config.label_num, (8, 10, 10))
loader = DataLoader(TensorDataset(ids, mask, grid_labels), batch_size=4)
model = Model(config)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for bert_inputs, attention_mask, labels in loader:
    outputs = model(bert_inputs, attention_mask)
    loss = F.cross_entropy(outputs.reshape(-1, config.label_num), labels.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
