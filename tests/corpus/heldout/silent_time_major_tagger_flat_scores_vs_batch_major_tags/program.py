import torch
import torch.nn as nn

torch.manual_seed(0)

VOCAB, N_TAGS = 300, 6


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim=32, hidden_dim=64):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)              # time-major
        self.hidden2tag = nn.Linear(hidden_dim, N_TAGS)

    def forward(self, sentences):                                   # [T, B]
        lstm_out, _ = self.lstm(self.word_embeddings(sentences))
        return self.hidden2tag(lstm_out)                            # [T, B, tags]


tokens = torch.randint(0, VOCAB, (32, 20))                          # [B, T], one sentence per row
tags = tokens % N_TAGS                                              # [B, T]
model = LSTMTagger()
loss_function = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(10):
    tag_scores = model(tokens.t())
    loss = loss_function(tag_scores.view(-1, N_TAGS), tags.view(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
acc = (tag_scores.argmax(-1) == tags.t()).float().mean()
print('loss', loss.item(), 'acc', acc.item())
