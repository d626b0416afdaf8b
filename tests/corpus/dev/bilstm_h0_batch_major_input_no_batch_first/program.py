import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class Config:
    num_layers = 2
    batch_size = 4
    seq_len = 10
    input_size = 300
    hidden_size = 100
    drop_out = 0.1
    num_classes = 6
    lr = 1e-3


config = Config()


class BiLSTMClassifier(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_layers = config.num_layers
        self.hidden_size = config.hidden_size
        self.bilstm = nn.LSTM(
            input_size=config.input_size,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=True,
            bias=True,
            dropout=config.drop_out
        )
        self.fc = nn.Linear(2 * config.hidden_size, config.num_classes)

    def init_hidden(self, batch_size):
        shape = (self.num_layers * 2, batch_size, self.hidden_size)
        return torch.zeros(shape), torch.zeros(shape)

    def forward(self, x):                                  # x: [batch, seq_len, input_size]
        h0, c0 = self.init_hidden(x.size(0))
        output, (hn, cn) = self.bilstm(x, (h0, c0))
        return self.fc(torch.cat([hn[-2], hn[-1]], dim=1))


embeddings = torch.randn(40, config.seq_len, config.input_size)    # sentences already embedded (word2vec 300-d)
labels = torch.randint(0, config.num_classes, (40,))
loader = DataLoader(TensorDataset(embeddings, labels), batch_size=config.batch_size, shuffle=True)
model = BiLSTMClassifier(config)
optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
criterion = nn.CrossEntropyLoss()
for epoch in range(2):
    for x, y in loader:
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
