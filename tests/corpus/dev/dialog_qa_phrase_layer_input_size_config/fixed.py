import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

# training_config/dialog_qa.jsonnet, as a dict
config = {
    'model': {
        'type': 'dialog_qa',
        'num_context_answers': 2,
        'marker_embedding_dim': 10,
        'text_field_embedder': {'tokens': {'embedding_dim': 100}, 'elmo': {'output_dim': 1024}},
        'phrase_layer': {'type': 'gru', 'input_size': 1144, 'hidden_size': 50, 'bidirectional': True},
    },
    'trainer': {'batch_size': 4, 'num_epochs': 1, 'lr': 1e-3},
}


class DialogQA(nn.Module):
    def __init__(self, cfg, vocab=2000):
        super().__init__()
        emb = cfg['text_field_embedder']
        self.tokens = nn.Embedding(vocab, emb['tokens']['embedding_dim'])
        self.num_context_answers = cfg['num_context_answers']
        self.markers = nn.Embedding(3, cfg['marker_embedding_dim'])     # B / I / O of a previous answer
        pl = cfg['phrase_layer']
        self.phrase_layer = nn.GRU(pl['input_size'], pl['hidden_size'], batch_first=True, bidirectional=pl['bidirectional'])
        self.span_start = nn.Linear(2 * pl['hidden_size'], 1)
        self.span_end = nn.Linear(2 * pl['hidden_size'], 1)

    def forward(self, passage, elmo, prev_answer_marks):
        parts = [self.tokens(passage), elmo]
        parts += [self.markers(prev_answer_marks[:, k]) for k in range(self.num_context_answers)]
        embedded_passage = torch.cat(parts, dim=-1)
        encoded, _ = self.phrase_layer(embedded_passage)
        return self.span_start(encoded).squeeze(-1), self.span_end(encoded).squeeze(-1)


def batches(n, bs, T=60):
    for _ in range(n):
        yield (torch.randint(0, 2000, (bs, T)), torch.randn(bs, T, 1024), torch.randint(0, 3, (bs, 2, T)),
               torch.randint(0, 30, (bs,)), torch.randint(30, T, (bs,)))


model = DialogQA(config['model'])
optimizer = torch.optim.Adam(model.parameters(), lr=config['trainer']['lr'])
for passage, elmo, marks, start, end in batches(3, config['trainer']['batch_size']):
    s_logits, e_logits = model(passage, elmo, marks)
    loss = F.cross_entropy(s_logits, start) + F.cross_entropy(e_logits, end)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('loss', round(loss.item(), 4))
