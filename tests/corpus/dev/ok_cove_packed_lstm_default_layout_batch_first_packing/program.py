import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(0)

VOCAB, EMB, HID = 500, 48, 64


class MTLSTM(nn.Module):
    """CoVe-style encoder: a two-layer BiLSTM built with the default (time-major) layout,
    fed sequences packed with batch_first=True."""
    def __init__(self):
        super().__init__()
        self.vectors = nn.Embedding(VOCAB, EMB, padding_idx=0)
        self.rnn = nn.LSTM(EMB, HID, num_layers=2, bidirectional=True)

    def forward(self, inputs, lengths):                        # inputs [B, T] ids, lengths [B]
        lens, indices = torch.sort(lengths, 0, True)
        inputs = self.vectors(inputs[indices])                 # [B, T, EMB]
        outputs, hidden_t = self.rnn(pack_padded_sequence(inputs, lens.tolist(), batch_first=True))
        outputs = pad_packed_sequence(outputs, batch_first=True)[0]   # [B, T_max, 2*HID]
        _, _indices = torch.sort(indices, 0)
        return outputs[_indices]


class Classifier(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.cove = MTLSTM()
        self.out = nn.Linear(2 * HID, n_classes)

    def forward(self, inputs, lengths):
        enc = self.cove(inputs, lengths)                       # [B, T_max, 2*HID]
        mask = (torch.arange(enc.size(1)).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(2).float()
        pooled = (enc * mask).sum(1) / lengths.unsqueeze(1).float()
        return self.out(pooled)


lengths = torch.randint(3, 20, (64,))
tokens = torch.zeros(64, 19, dtype=torch.long)
for i, n in enumerate(lengths.tolist()):
    tokens[i, :n] = torch.randint(1, VOCAB, (n,))
labels = torch.randint(0, 3, (64,))
model = Classifier()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for i in range(0, 64, 16):
        logits = model(tokens[i:i + 16], lengths[i:i + 16])
        loss = F.cross_entropy(logits, labels[i:i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
# a sequence's encoding does not depend on the other sequences of its batch
with torch.no_grad():
    alone = model.cove(tokens[:1], lengths[:1])[0, :lengths[0]]
    batched = model.cove(tokens[:16], lengths[:16])[0, :lengths[0]]
print('independent of batch:', torch.allclose(alone, batched, atol=1e-5))
