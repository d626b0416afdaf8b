import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

VOCAB, EMB = 2000, 50
pretrained = torch.randn(VOCAB, EMB)                          # stand-in for GloVe vectors


class ConvEncoderClassifier(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, EMB, padding_idx=0)
        self.embed_tokens.weight.data.copy_(pretrained)
        self.convs = nn.ModuleList([nn.Conv1d(EMB, 64, k, padding=k // 2) for k in (3, 5)])
        self.fc = nn.Linear(128, n_classes)

    def forward(self, tokens):                                # [B, T]
        x = self.embed_tokens(tokens).detach()                # keep the pretrained vectors fixed
        x = x.transpose(1, 2)                                 # [B, EMB, T] for Conv1d
        feats = [F.relu(conv(x)).max(dim=2).values for conv in self.convs]
        return self.fc(torch.cat(feats, dim=1))


model = ConvEncoderClassifier()
optimizer = torch.optim.Adam([p for n, p in model.named_parameters() if not n.startswith('embed_tokens')], lr=1e-3)
tokens = torch.randint(1, VOCAB, (48, 30))
labels = torch.randint(0, 4, (48,))
for epoch in range(4):
    for i in range(0, 48, 16):
        loss = F.cross_entropy(model(tokens[i:i + 16]), labels[i:i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print('loss', loss.item(), 'embeddings unchanged:', torch.equal(model.embed_tokens.weight, pretrained))
