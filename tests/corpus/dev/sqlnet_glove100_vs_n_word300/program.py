import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)

N_word = 300
N_h = 32
B_word = 6


def load_word_emb(vocab_size):
    """Stand-in for glove.6B.100d.txt: one 100-d vector per word."""
    return np.random.randn(vocab_size, 100).astype(np.float32)


class WordEmbedding(nn.Module):
    def __init__(self, word_emb):
        super().__init__()
        self.emb = nn.Embedding.from_pretrained(torch.from_numpy(word_emb), freeze=True)

    def gen_x_batch(self, q_ids):
        return self.emb(q_ids)


class AggPredictor(nn.Module):
    def __init__(self, N_word, N_h, N_depth=2):
        super().__init__()
        self.agg_lstm = nn.LSTM(input_size=N_word, hidden_size=N_h // 2, num_layers=N_depth,
                                batch_first=True, bidirectional=True)
        self.agg_att = nn.Linear(N_h, 1)
        self.agg_out = nn.Sequential(nn.Linear(N_h, N_h), nn.Tanh(), nn.Linear(N_h, B_word))

    def forward(self, x_emb_var):
        h_enc, _ = self.agg_lstm(x_emb_var)
        att = torch.softmax(self.agg_att(h_enc).squeeze(2), dim=1)
        K_agg = (h_enc * att.unsqueeze(2)).sum(1)
        return self.agg_out(K_agg)


word_emb = load_word_emb(500)
embed_layer = WordEmbedding(word_emb)
agg_pred = AggPredictor(N_word, N_h)
optimizer = torch.optim.Adam(agg_pred.parameters(), lr=1e-3)

questions = torch.randint(0, 500, (16, 12))
agg_truth = torch.randint(0, B_word, (16,))
for st in range(0, 16, 8):
    x_emb_var = embed_layer.gen_x_batch(questions[st:st + 8])
    agg_score = agg_pred(x_emb_var)
    loss = nn.functional.cross_entropy(agg_score, agg_truth[st:st + 8])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
