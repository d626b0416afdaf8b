import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class QuestionEncoder(nn.Module):
    def __init__(self, vocab_size, emb_dim=32, hidden=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=0)
        self.rnn = nn.LSTM(emb_dim, hidden, num_layers=1, batch_first=True)

    def forward(self, question):                             # [B, T] word ids
        out, _ = self.rnn(self.embedding(question))
        return out[:, -1, :]                                 # state after the last word


class MutanLite(nn.Module):
    def __init__(self, vocab_size=1000, visual_dim=128, hidden=64, n_answers=100):
        super().__init__()
        self.seq2vec = QuestionEncoder(vocab_size, hidden=hidden)
        self.linear_v = nn.Linear(visual_dim, hidden)
        self.classif = nn.Linear(hidden, n_answers)

    def forward(self, visual, question):
        q = self.seq2vec(question)
        v = torch.tanh(self.linear_v(visual))
        return self.classif(F.dropout(q * v, 0.2, self.training))


N, bs = 160, 32
visual = torch.randn(N, 128)                                 # pooled image features
questions = torch.randint(1, 1000, (N, 14))
answers = torch.randint(0, 100, (N,))
model = MutanLite()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    perm = torch.randperm(N)
    for i in range(0, N, bs):
        idx = perm[i:i + bs]
        batch = {'visual': visual[idx], 'question': questions[idx], 'answer': answers[idx]}
        output = model(batch['visual'], batch['question'])
        loss = F.cross_entropy(output, batch['answer'])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
