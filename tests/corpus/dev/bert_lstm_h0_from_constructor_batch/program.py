import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

BATCH_SIZE = 16


class FrozenEncoder(nn.Module):
    """Stand-in for a pretrained BERT returning (last_hidden_state,)."""
    def __init__(self, vocab=300, hidden=48):
        super().__init__()
        self.emb = nn.Embedding(vocab, hidden)
        self.config = {'hidden_size': hidden}

    def forward(self, ids):
        return (torch.tanh(self.emb(ids)),)


class LSTMClassifier(nn.Module):
    def __init__(self, batch_size, output_size, hidden_size, bert):
        super().__init__()
        self.bert = bert
        self.batch_size = batch_size
        self.hidden_size = hidden_size
        embedding_dim = bert.config['hidden_size']
        self.lstm = nn.LSTM(embedding_dim, hidden_size)
        self.label = nn.Linear(hidden_size, output_size)

    def forward(self, input_sentence, batch_size=None):
        with torch.no_grad():
            embedded = self.bert(input_sentence)[0]
        input = embedded.permute(1, 0, 2)
        if batch_size is None:
            h_0 = torch.zeros(1, self.batch_size, self.hidden_size)
            c_0 = torch.zeros(1, self.batch_size, self.hidden_size)
        else:
            h_0 = torch.zeros(1, batch_size, self.hidden_size)
            c_0 = torch.zeros(1, batch_size, self.hidden_size)
        output, (final_hidden_state, final_cell_state) = self.lstm(input, (h_0, c_0))
        return self.label(final_hidden_state[-1])


ids = torch.randint(0, 300, (100, 20))
labels = torch.randint(0, 3, (100,))
train_iterator = DataLoader(TensorDataset(ids, labels), batch_size=BATCH_SIZE, shuffle=True)
model = LSTMClassifier(BATCH_SIZE, 3, 32, FrozenEncoder())
optimizer = torch.optim.Adam([p for n, p in model.named_parameters() if not n.startswith('bert')])
for epoch in range(1):
    for text, label in train_iterator:
        predictions = model(text)
        loss = F.cross_entropy(predictions, label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, loss.item())
