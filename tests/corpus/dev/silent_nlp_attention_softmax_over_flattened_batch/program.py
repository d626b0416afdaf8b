import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Attention(nn.Module):
    def __init__(self, dimensions):
        super().__init__()
        self.linear_in = nn.Linear(dimensions, dimensions, bias=False)
        self.linear_out = nn.Linear(dimensions * 2, dimensions, bias=False)
        self.softmax = nn.Softmax(dim=0)
        self.tanh = nn.Tanh()

    def forward(self, query, context):
        batch_size, output_len, dimensions = query.size()
        query_len = context.size(1)
        query = self.linear_in(query.reshape(batch_size * output_len, dimensions)).reshape(batch_size, output_len, dimensions)
        attention_scores = torch.bmm(query, context.transpose(1, 2).contiguous())
        attention_scores = attention_scores.view(batch_size * output_len, query_len)
        attention_weights = self.softmax(attention_scores)
        attention_weights = attention_weights.view(batch_size, output_len, query_len)
        mix = torch.bmm(attention_weights, context)
        combined = torch.cat((mix, query), dim=2).view(batch_size * output_len, 2 * dimensions)
        output = self.tanh(self.linear_out(combined).view(batch_size, output_len, dimensions))
        return output, attention_weights


class AttnSeq2Seq(nn.Module):
    def __init__(self, vocab=60, dim=32):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.encoder = nn.GRU(dim, dim, batch_first=True)
        self.decoder = nn.GRU(dim, dim, batch_first=True)
        self.attention = Attention(dim)
        self.out = nn.Linear(dim, vocab)

    def forward(self, src, tgt_in):
        context, h = self.encoder(self.emb(src))
        dec, _ = self.decoder(self.emb(tgt_in), h)
        attended, weights = self.attention(dec, context)
        return self.out(attended), weights


model = AttnSeq2Seq()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
src = torch.randint(2, 60, (16, 14))
tgt = torch.cat([torch.ones(16, 1, dtype=torch.long), src.flip(1)], dim=1)
for step in range(10):
    logits, weights = model(src, tgt[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, 60), tgt[:, 1:].reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item(), 'weights sum over source positions', weights[0, 0].sum().item())
