import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class TinyBertForSequenceClassification(nn.Module):
    def __init__(self, vocab_size=1200, hidden_size=64, num_labels=3, max_position=64):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(max_position, hidden_size)
        self.token_type_embeddings = nn.Embedding(2, hidden_size)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(hidden_size, 4, 128, batch_first=True), 2,
                                             enable_nested_tensor=False)
        self.pooler = nn.Sequential(nn.Linear(hidden_size, hidden_size), nn.Tanh())
        self.classifier = nn.Linear(hidden_size, num_labels)

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        positions = torch.arange(input_ids.size(1)).unsqueeze(0)
        h = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings(token_type_ids)
        h = self.encoder(h, src_key_padding_mask=attention_mask == 0)
        logits = self.classifier(self.pooler(h[:, 0]))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {'loss': loss, 'logits': logits}


lengths = torch.randint(6, 40, (48,))
batch = {'input_ids': torch.randint(1, 1200, (48, 40))}
batch['attention_mask'] = (torch.arange(40)[None, :] < lengths[:, None]).long()
batch['input_ids'] = batch['input_ids'] * batch['attention_mask']
batch['token_type_ids'] = (torch.arange(40)[None, :] >= lengths[:, None] // 2).long() * batch['attention_mask']
batch['labels'] = torch.randint(0, 3, (48,))

model = TinyBertForSequenceClassification()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
for epoch in range(2):
    for i in range(0, 48, 16):
        inputs = {k: v[i:i + 16] for k, v in batch.items()}
        outputs = model(**inputs)
        optimizer.zero_grad()
        outputs['loss'].backward()
        optimizer.step()
    print('epoch', epoch, 'loss', outputs['loss'].item())
model.eval()
with torch.no_grad():
    preds = model(input_ids=batch['input_ids'][:4], attention_mask=batch['attention_mask'][:4])['logits'].argmax(dim=-1)
print(preds)
