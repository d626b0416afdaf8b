import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)


def parse_opt(argv=()):
    p = argparse.ArgumentParser()
    p.add_argument('--vocab_size', type=int, default=2000)
    p.add_argument('--word_dim', type=int, default=300, help='dimensionality of the word embedding')
    p.add_argument('--embed_size', type=int, default=256, help='dimensionality of the joint embedding')
    p.add_argument('--img_dim', type=int, default=2048)
    p.add_argument('--num_layers', type=int, default=1)
    p.add_argument('--margin', type=float, default=0.2)
    return p.parse_args(list(argv))


def load_glove_matrix(vocab_size):
    """Stand-in for the vocabulary's GloVe .pkl: one 300-d vector per word."""
    return torch.from_numpy(np.random.randn(vocab_size, 300).astype(np.float32))


class EncoderText(nn.Module):
    def __init__(self, opt, glove):
        super().__init__()
        self.embed = nn.Embedding.from_pretrained(glove, freeze=False)
        self.rnn = nn.GRU(opt.word_dim, opt.embed_size, opt.num_layers, batch_first=True, bidirectional=True)

    def forward(self, captions, lengths):
        x = self.embed(captions)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        out = (out[:, :, :out.size(2) // 2] + out[:, :, out.size(2) // 2:]) / 2
        return F.normalize(out.sum(1) / lengths[:, None].float(), dim=-1)


class EncoderImage(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.fc = nn.Linear(opt.img_dim, opt.embed_size)

    def forward(self, regions):
        return F.normalize(self.fc(regions).mean(1), dim=-1)


def contrastive_loss(im, s, margin):
    scores = im @ s.t()
    d = scores.diag().view(-1, 1)
    cost_s = (margin + scores - d).clamp(min=0).fill_diagonal_(0)
    cost_im = (margin + scores - d.t()).clamp(min=0).fill_diagonal_(0)
    return cost_s.max(1)[0].sum() + cost_im.max(0)[0].sum()


opt = parse_opt()
txt_enc = EncoderText(opt, load_glove_matrix(opt.vocab_size))
img_enc = EncoderImage(opt)
params = list(txt_enc.parameters()) + list(img_enc.parameters())
optimizer = torch.optim.Adam(params, lr=2e-4)
for it in range(3):
    lengths = torch.randint(5, 16, (32,))
    captions = torch.randint(1, opt.vocab_size, (32, 15))
    regions = torch.randn(32, 36, opt.img_dim)
    loss = contrastive_loss(img_enc(regions), txt_enc(captions, lengths), opt.margin)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('iter', it, 'loss', round(loss.item(), 3))
