import torch
import torch.nn as nn

torch.manual_seed(0)

INPUT_DIM, EMBEDDING_DIM, HIDDEN_DIM = 100, 16, 24
BATCH_SIZE = 8


class RNN(nn.Module):
    def __init__(self, input_dim, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, embedding_dim)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)

    def forward(self, text):
        embedded = self.embedding(text)                      # [sent len, batch, emb]
        output, (hidden, cell) = self.rnn(embedded)
        hidden = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
        return self.fc(hidden.squeeze(0))


def iterate(texts, labels, batch_size):
    for i in range(0, texts.size(1), batch_size):
        yield texts[:, i:i + batch_size], labels[i:i + batch_size]


train_text = torch.randint(0, INPUT_DIM, (20, 25))       # [sent len, n reviews]
train_label = torch.randint(0, 2, (25,)).float()
model = RNN(INPUT_DIM, EMBEDDING_DIM, HIDDEN_DIM, 1)
optimizer = torch.optim.Adam(model.parameters())
criterion = nn.BCEWithLogitsLoss()


def train(model, optimizer, criterion):
    epoch_loss = 0
    model.train()
    for text, label in iterate(train_text, train_label, BATCH_SIZE):
        optimizer.zero_grad()
        predictions = model(text).squeeze(1)
        loss = criterion(predictions, label)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    return epoch_loss


print('loss', train(model, optimizer, criterion))
