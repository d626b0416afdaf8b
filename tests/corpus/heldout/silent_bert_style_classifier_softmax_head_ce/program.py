import torch
import torch.nn as nn

torch.manual_seed(0)


class TinyEncoder(nn.Module):
    """Stand-in for a BERT encoder: token + segment + position embeddings and 2 transformer layers."""
    def __init__(self, vocab=3000, hidden=64, max_len=48):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden, padding_idx=0)
        self.seg = nn.Embedding(2, hidden)
        self.pos = nn.Embedding(max_len, hidden)
        layer = nn.TransformerEncoderLayer(hidden, 4, 128, batch_first=True)
        self.layers = nn.TransformerEncoder(layer, 2)

    def forward(self, input_ids, attention_mask, token_type_ids):
        pos = torch.arange(input_ids.size(1)).unsqueeze(0)
        h = self.tok(input_ids) + self.seg(token_type_ids) + self.pos(pos)
        return self.layers(h, src_key_padding_mask=attention_mask == 0)


class BertClassifier(nn.Module):
    def __init__(self, num_labels=10, hidden=64):
        super().__init__()
        self.bert = TinyEncoder(hidden=hidden)
        self.dropout = nn.Dropout(0.1)
        self.linear = nn.Linear(hidden, num_labels)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, input_ids, attention_mask, token_type_ids):
        pooled = self.bert(input_ids, attention_mask, token_type_ids)[:, 0]
        logits = self.linear(self.dropout(pooled))
        return self.softmax(logits)


lengths = torch.randint(8, 48, (64,))
input_ids = torch.randint(1, 3000, (64, 48))
attention_mask = (torch.arange(48)[None, :] < lengths[:, None]).long()
input_ids = input_ids * attention_mask
token_type_ids = torch.zeros_like(input_ids)
labels = torch.randint(0, 10, (64,))

model = BertClassifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-4)
for epoch in range(2):
    for i in range(0, 64, 16):
        output = model(input_ids=input_ids[i:i + 16], attention_mask=attention_mask[i:i + 16],
                       token_type_ids=token_type_ids[i:i + 16])
        loss = criterion(output, labels[i:i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
