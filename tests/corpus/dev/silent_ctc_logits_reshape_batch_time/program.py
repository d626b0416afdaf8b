import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

max_len, mbsz, n_feats, num_classes = 50, 8, 40, 28


class RNNCTC(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(n_feats, 64, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):                                   # [batch, time, feats]
        h, _ = self.rnn(x)
        return self.fc(h)                                   # [batch, time, classes]


model = RNNCTC()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
feats = torch.randn(mbsz, max_len, n_feats)
targets = torch.randint(1, num_classes, (mbsz, 10))
input_lengths = torch.full((mbsz,), max_len, dtype=torch.long)
target_lengths = torch.full((mbsz,), 10, dtype=torch.long)
for step in range(5):
    logits = model(feats)
    log_probs = logits.log_softmax(-1).reshape(max_len, mbsz, num_classes)   # CTC wants (T, N, C)
    loss = F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(log_probs.shape, loss.item())
