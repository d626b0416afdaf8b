import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Parameters:
    seq_len = 35
    num_words = 2000
    embedding_size = 64
    out_size = 32
    kernels = (2, 3, 4)
    stride = 1
    batch_size = 12
    epochs = 5
    learning_rate = 0.001


class TextClassifier(nn.ModuleList):
    def __init__(self, params):
        super(TextClassifier, self).__init__()
        self.seq_len = params.seq_len
        self.embedding_size = params.embedding_size
        self.embedding = nn.Embedding(params.num_words, params.embedding_size, padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(self.embedding_size, params.out_size, k, params.stride) for k in params.kernels])
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(len(params.kernels) * params.out_size, 1)

    def forward(self, x):
        x = self.embedding(x).permute(0, 2, 1)
        pooled = [torch.relu(conv(x)).max(dim=2).values for conv in self.convs]
        union = self.dropout(torch.cat(pooled, dim=1))
        return torch.sigmoid(self.fc(union)).squeeze(1)


def make_tweets(n, p):
    # a tweet is 'disaster' (label 1) when one of the trigger words 10..19 occurs in it
    x = torch.randint(20, p.num_words, (n, p.seq_len))
    y = torch.randint(0, 2, (n,))
    pos = torch.randint(0, p.seq_len, (n,))
    x[y == 1, pos[y == 1]] = torch.randint(10, 20, (int(y.sum()),))
    x[:, -5:] = 0  # padding
    return x, y.float()


torch.manual_seed(0)
params = Parameters()
x_train, y_train = make_tweets(480, params)
x_test, y_test = make_tweets(120, params)
loader_train = DataLoader(TensorDataset(x_train, y_train), batch_size=params.batch_size, shuffle=True)

model = TextClassifier(params)
optimizer = torch.optim.RMSprop(model.parameters(), lr=params.learning_rate)
for epoch in range(params.epochs):
    model.train()
    for x_batch, y_batch in loader_train:
        y_pred = model(x_batch)
        loss = F.binary_cross_entropy(y_pred, y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        test_acc = ((model(x_test) > 0.5).float() == y_test).float().mean().item()
    print('epoch %d loss %.4f test acc %.3f' % (epoch + 1, loss.item(), test_acc))
