import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

VOCAB, SEQ, DIM = 250, 16, 32


class SequenceClassifier(nn.Module):
    def __init__(self, vocab, num_labels):
        super().__init__()
        self.num_labels = num_labels
        self.embeddings = nn.Embedding(vocab, DIM)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(DIM, 4, 64, batch_first=True), 1)
        self.classifier = nn.Linear(DIM, num_labels)

    def forward(self, input_ids, attention_mask=None, labels=None):
        h = self.encoder(self.embeddings(input_ids), src_key_padding_mask=attention_mask == 0)
        logits = self.classifier(h[:, 0])
        loss = None
        if labels is not None:
            if self.num_labels == 1:
                loss = F.mse_loss(logits.squeeze(-1), labels)
            else:
                loss = F.cross_entropy(logits.view(-1, self.num_labels), labels.view(-1))
        return loss, logits


ids = torch.randint(1, VOCAB, (32, SEQ))
mask = torch.ones(32, SEQ, dtype=torch.long)
mask[:, 12:] = 0
scores = torch.rand(32) * 5.0                         # STS-B similarity in [0, 5]
train_dataloader = DataLoader(TensorDataset(ids, mask, scores), batch_size=8, shuffle=True)
model = SequenceClassifier(VOCAB, num_labels=2)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
for step, batch in enumerate(train_dataloader):
    input_ids, attention_mask, labels = batch
    outputs = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels)
    loss = outputs[0]
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
print('loss', loss.item())
