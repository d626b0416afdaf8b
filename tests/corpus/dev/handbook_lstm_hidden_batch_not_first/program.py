import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

VOCAB, EMBED, HIDDEN = 500, 64, 32
SEQ_LEN, BATCH = 32, 8


class LSTMClassifier(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def init_hidden(self, batch_size):
        return (torch.zeros(1, batch_size, self.hidden_dim), torch.zeros(1, batch_size, self.hidden_dim))

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        hidden = self.init_hidden(sentence.size(0))
        _, (h_n, _) = self.lstm(embeds, hidden)
        return self.hidden2tag(h_n[-1])


texts = torch.randint(1, VOCAB, (64, SEQ_LEN))
labels = torch.randint(0, 2, (64,))
train_iter = DataLoader(TensorDataset(texts, labels), batch_size=BATCH, shuffle=True)
net = LSTMClassifier(EMBED, HIDDEN, VOCAB, 2)
criterion = nn.CrossEntropyLoss()
optim = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(2):
    train_loss = 0
    for text, label in train_iter:
        optim.zero_grad()
        outputs = net(text)
        loss = criterion(outputs, label)
        train_loss += loss.item()
        loss.backward()
        optim.step()
    print('epoch', epoch, 'train loss', train_loss / len(train_iter))
