import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

CONFIG = dict(n_chars=80, char_emb=16, max_word_len=28, filters=[(2, 50), (3, 50)], n_words=500, hidden=64)


class CNNCharEmb(nn.Module):
    """Character-level word representation: char embeddings, 1-D convolutions, max over positions."""

    def __init__(self, n_chars, char_emb, filters):
        super().__init__()
        self.emb = nn.Embedding(n_chars, char_emb, padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(char_emb, n, k, padding=k // 2) for k, n in filters])
        self.out_dim = sum(n for _, n in filters)

    def forward(self, chars):                            # [B * T, L]
        x = self.emb(chars).transpose(1, 2)              # [B * T, char_emb, L]
        list_pooled = []
        for conv in self.convs:
            conved = torch.tanh(conv(x))[:, :, :chars.size(1)]   # [B * T, n_filters, L]
            list_pooled.append(F.max_pool1d(conved, kernel_size=conved.shape[1]).squeeze(2))
        return torch.cat(list_pooled, 1)


class RNNLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.char_cnn = CNNCharEmb(cfg['n_chars'], cfg['char_emb'], cfg['filters'])
        self.rnn = nn.LSTM(self.char_cnn.out_dim, cfg['hidden'], batch_first=True)
        self.proj = nn.Linear(cfg['hidden'], cfg['n_words'])

    def forward(self, chars):                            # [B, T, L]
        B, T, L = chars.shape
        words = self.char_cnn(chars.view(B * T, L)).view(B, T, -1)
        out, _ = self.rnn(words)
        return self.proj(out)


model = RNNLM(CONFIG)
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(3):
    chars = torch.randint(1, CONFIG['n_chars'], (8, 12, CONFIG['max_word_len']))
    next_words = torch.randint(0, CONFIG['n_words'], (8, 12))
    logits = model(chars)
    loss = F.cross_entropy(logits.reshape(-1, CONFIG['n_words']), next_words.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    print('step', step, 'ppl', round(loss.exp().item(), 1))
