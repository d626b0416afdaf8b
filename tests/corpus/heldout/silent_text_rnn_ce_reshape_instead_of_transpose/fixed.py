import torch
import torch.nn as nn

torch.manual_seed(0)

vocab_size, seq_len, batch_size = 120, 25, 16


class WordLSTM(nn.Module):
    def __init__(self, input_size=vocab_size, embedding_size=32, hidden_size=64, n_layers=2):
        super().__init__()
        self.embedding = nn.Embedding(input_size, embedding_size)
        self.lstm = nn.LSTM(embedding_size, hidden_size, n_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, input_size)

    def forward(self, x, hc):
        output, (h, c) = self.lstm(self.embedding(x), hc)
        return self.fc(output), (h, c)


text = torch.randint(0, vocab_size, (batch_size * 10 * seq_len + 1,))
model = WordLSTM()
loss_func = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    sh, sc = torch.zeros(2, batch_size, 64), torch.zeros(2, batch_size, 64)
    for i in range(10):
        chunk = text[i * batch_size * seq_len:(i + 1) * batch_size * seq_len + 1]
        inputs, targets = chunk[:-1].view(batch_size, seq_len), chunk[1:].view(batch_size, seq_len)
        output, (sh, sc) = model(inputs, (sh, sc))           # [batch, seq_len, vocab]
        loss = loss_func(output.transpose(1, 2), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        sh, sc = sh.detach(), sc.detach()
    print('epoch', epoch, 'loss', loss.item())
