import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class QnliProcessor:
    def get_labels(self):
        return ['entailment', 'not_entailment']

    def get_train_examples(self, n=96, seq_len=32, vocab=1000):
        g = torch.Generator().manual_seed(0)
        ids = torch.randint(5, vocab, (n, seq_len), generator=g)
        labels = torch.randint(0, len(self.get_labels()), (n,), generator=g)
        return ids, labels


class BertForSequenceClassification(nn.Module):
    def __init__(self, vocab, hidden, num_labels):
        super().__init__()
        self.num_labels = num_labels
        self.embeddings = nn.Embedding(vocab, hidden)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(hidden, 4, 4 * hidden, batch_first=True), 2)
        self.pooler = nn.Sequential(nn.Linear(hidden, hidden), nn.Tanh())
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(hidden, num_labels)

    def forward(self, input_ids):
        h = self.encoder(self.embeddings(input_ids))
        return self.classifier(self.dropout(self.pooler(h[:, 0])))


processor = QnliProcessor()
label_list = processor.get_labels()
num_labels = len(label_list)

input_ids, label_ids = processor.get_train_examples()
train_dataloader = DataLoader(TensorDataset(input_ids, label_ids), batch_size=16, shuffle=True)
model = BertForSequenceClassification(1000, 64, num_labels)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
loss_fct = nn.CrossEntropyLoss()
model.train()
for step, (ids, label_ids) in enumerate(train_dataloader):
    logits = model(ids)
    loss = loss_fct(logits.view(-1, num_labels), label_ids.view(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('last loss', round(loss.item(), 4))
