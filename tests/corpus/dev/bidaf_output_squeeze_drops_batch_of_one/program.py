import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class BiDAF(nn.Module):
    def __init__(self, vocab=800, d=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.context_LSTM = nn.LSTM(d, d, batch_first=True, bidirectional=True)
        self.att_weight_c = nn.Linear(2 * d, 1)
        self.att_weight_q = nn.Linear(2 * d, 1)
        self.att_weight_cq = nn.Linear(2 * d, 1)
        self.modeling_LSTM = nn.LSTM(8 * d, d, batch_first=True, bidirectional=True)
        self.p1_weight_g, self.p1_weight_m = nn.Linear(8 * d, 1), nn.Linear(2 * d, 1)
        self.p2_weight_g, self.p2_weight_m = nn.Linear(8 * d, 1), nn.Linear(2 * d, 1)

    def att_flow_layer(self, c, q):
        c_len, q_len = c.size(1), q.size(1)
        cq = torch.stack([self.att_weight_cq(c * q[:, i:i + 1]).squeeze(-1) for i in range(q_len)], dim=-1)
        s = self.att_weight_c(c).expand(-1, -1, q_len) + self.att_weight_q(q).permute(0, 2, 1).expand(-1, c_len, -1) + cq
        c2q_att = torch.bmm(F.softmax(s, dim=2), q)
        b = F.softmax(torch.max(s, dim=2)[0], dim=1).unsqueeze(1)
        q2c_att = torch.bmm(b, c).expand(-1, c_len, -1)
        return torch.cat([c, c2q_att, c * c2q_att, c * q2c_att], dim=-1)

    def forward(self, c_word, q_word):
        c, _ = self.context_LSTM(self.embed(c_word))
        q, _ = self.context_LSTM(self.embed(q_word))
        g = self.att_flow_layer(c, q)
        m, _ = self.modeling_LSTM(g)
        p1 = (self.p1_weight_g(g) + self.p1_weight_m(m)).squeeze()
        p2 = (self.p2_weight_g(g) + self.p2_weight_m(m)).squeeze()
        return p1, p2


def best_spans(p1, p2):
    batch_size, c_len = p1.size()
    mask = torch.ones(c_len, c_len).tril(-1).bool()
    score = (F.log_softmax(p1, 1).unsqueeze(2) + F.log_softmax(p2, 1).unsqueeze(1)).masked_fill(mask, float('-inf'))
    best = score.view(batch_size, -1).argmax(1)
    return best // c_len, best % c_len


contexts, questions = torch.randint(1, 800, (49, 40)), torch.randint(1, 800, (49, 12))
s_idx = torch.randint(0, 30, (49,))
e_idx = s_idx + torch.randint(0, 10, (49,))
train = DataLoader(TensorDataset(contexts[:32], questions[:32], s_idx[:32], e_idx[:32]), batch_size=8, shuffle=True)
dev = DataLoader(TensorDataset(contexts[32:], questions[32:], s_idx[32:], e_idx[32:]), batch_size=8)

model = BiDAF()
optimizer = torch.optim.Adadelta(model.parameters(), lr=0.5)
for c, q, s, e in train:
    p1, p2 = model(c, q)
    loss = F.cross_entropy(p1, s) + F.cross_entropy(p2, e)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
exact = 0
with torch.no_grad():
    for c, q, s, e in dev:
        p1, p2 = model(c, q)
        ps, pe = best_spans(p1, p2)
        exact += ((ps == s) & (pe == e)).sum().item()
print('train loss', round(loss.item(), 3), 'dev EM', exact / 17)
