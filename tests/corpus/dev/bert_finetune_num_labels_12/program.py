import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

LABELS = ['intent_%d' % i for i in range(18)]
VOCAB, SEQ = 300, 12


class TinyEncoderClassifier(nn.Module):
    def __init__(self, num_labels, dim=32):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, dim)
        self.pos = nn.Parameter(torch.zeros(1, SEQ, dim))
        layer = nn.TransformerEncoderLayer(dim, 4, 64, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1)
        self.classifier = nn.Linear(dim, num_labels)

    def forward(self, input_ids, attention_mask=None, labels=None):
        h = self.encoder(self.tok(input_ids) + self.pos, src_key_padding_mask=None if attention_mask is None else attention_mask == 0)
        logits = self.classifier(h[:, 0])
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return loss, logits


def finetune_model(num_labels):
    return TinyEncoderClassifier(num_labels)


ids = torch.randint(1, VOCAB, (40, SEQ))
mask = torch.ones(40, SEQ, dtype=torch.long)
labels = torch.arange(40) % len(LABELS)
train_dataloader = DataLoader(TensorDataset(ids, mask, labels), batch_size=8, shuffle=True)
model = finetune_model(num_labels=12)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
for step, batch in enumerate(train_dataloader):
    b_input_ids, b_input_mask, b_labels = batch
    loss, logits = model(b_input_ids, attention_mask=b_input_mask, labels=b_labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
