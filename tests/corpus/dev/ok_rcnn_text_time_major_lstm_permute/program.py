import torch
import torch.nn as nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class RCNN(nn.Module):
    def __init__(self, batch_size, output_size, hidden_size, vocab_size, embedding_length, weights):
        super(RCNN, self).__init__()
        self.batch_size = batch_size
        self.hidden_size = hidden_size
        self.word_embeddings = nn.Embedding(vocab_size, embedding_length)
        self.word_embeddings.weight = nn.Parameter(weights, requires_grad=False)
        self.lstm = nn.LSTM(embedding_length, hidden_size, bidirectional=True)
        self.W2 = nn.Linear(2 * hidden_size + embedding_length, hidden_size)
        self.label = nn.Linear(hidden_size, output_size)

    def forward(self, input_sentence):
        # input_sentence: (batch_size, num_sequences)
        batch_size = input_sentence.size(0)
        input = self.word_embeddings(input_sentence)        # (batch_size, num_sequences, embedding_length)
        input = input.permute(1, 0, 2)                      # (num_sequences, batch_size, embedding_length)
        h_0 = torch.zeros(2, batch_size, self.hidden_size)
        c_0 = torch.zeros(2, batch_size, self.hidden_size)
        output, (final_hidden_state, final_cell_state) = self.lstm(input, (h_0, c_0))
        final_encoding = torch.cat((output, input), 2).permute(1, 0, 2)   # (batch_size, num_sequences, 2h + e)
        y = self.W2(final_encoding)                         # (batch_size, num_sequences, hidden_size)
        y = y.permute(0, 2, 1)                              # (batch_size, hidden_size, num_sequences)
        y = F.max_pool1d(y, y.size()[2])                    # (batch_size, hidden_size, 1)
        y = y.squeeze(2)
        return self.label(y)


VOCAB, EMB, SEQ = 1000, 50, 40
glove = torch.randn(VOCAB, EMB)
x = torch.randint(1, VOCAB, (200, SEQ))
y = (x[:, :5] < 300).any(dim=1).long()   # 'positive' if an opinion word appears in the first 5 tokens
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)

model = RCNN(batch_size=32, output_size=2, hidden_size=64, vocab_size=VOCAB, embedding_length=EMB, weights=glove)
optim = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=2e-3)
for epoch in range(3):
    total, correct = 0, 0
    for text, target in loader:
        prediction = model(text)
        loss = F.cross_entropy(prediction, target)
        optim.zero_grad()
        loss.backward()
        optim.step()
        correct += (prediction.argmax(1) == target).sum().item()
        total += target.size(0)
    print('epoch %d loss %.4f acc %.3f' % (epoch, loss.item(), correct / total))
