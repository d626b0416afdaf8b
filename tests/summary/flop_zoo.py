"""Small modules exercising every FLOP formula of analysis.summary_flops: (name, build, input)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Lambda(nn.Module):
    """A module whose forward is one function (and owns the given parameters)."""

    def __init__(self, fn, **params):
        super().__init__()
        self.fn = fn
        for k, v in params.items():
            setattr(self, k, nn.Parameter(v))

    def forward(self, *xs):
        return self.fn(self, *xs)


def _r(*shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(sum(shape)))


ZOO = [
    ("linear_3d", lambda: nn.Linear(6, 5), (2, 3, 6)),
    ("conv1d", lambda: nn.Conv1d(3, 4, 3, stride=2), (2, 3, 11)),
    ("conv2d_groups", lambda: nn.Conv2d(4, 8, 3, padding=1, groups=2), (2, 4, 7, 7)),
    ("conv2d_unbatched", lambda: nn.Conv2d(3, 4, 3), (3, 9, 9)),
    ("conv3d", lambda: nn.Conv3d(2, 3, 2), (1, 2, 4, 4, 4)),
    ("conv_transpose2d", lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2), (2, 4, 5, 5)),
    ("conv_transpose1d", lambda: nn.ConvTranspose1d(3, 2, 4), (1, 3, 6)),
    ("matmul_1d_2d", lambda: Lambda(lambda m, x: x @ m.w, w=_r(5, 4)), (5,)),
    ("matmul_2d_1d", lambda: Lambda(lambda m, x: torch.matmul(x, m.w), w=_r(5)), (3, 5)),
    ("matmul_1d_1d", lambda: Lambda(lambda m, x: x.matmul(m.w), w=_r(5)), (5,)),
    ("matmul_broadcast", lambda: Lambda(lambda m, x: x @ m.w, w=_r(1, 5, 4)), (3, 2, 6, 5)),
    ("rmatmul", lambda: Lambda(lambda m, x: m.w.__rmatmul__(x), w=_r(5, 4)), (3, 5)),
    ("bmm_baddbmm", lambda: Lambda(lambda m, x: torch.baddbmm(x @ m.w, x, m.w), w=_r(3, 5, 5)), (3, 4, 5)),
    ("addmm_mm", lambda: Lambda(lambda m, x: torch.addmm(m.b, x, m.w) + x.mm(m.w), w=_r(5, 5), b=_r(5)), (4, 5)),
    ("addbmm_addmv_mv", lambda: Lambda(lambda m, x: torch.addbmm(m.b, x, x.transpose(1, 2)).sum()
                                       + torch.addmv(m.v, m.b, m.v).sum() + torch.mv(m.b, m.v).sum()
                                       + torch.dot(m.v, m.v), b=_r(4, 4), v=_r(4)), (2, 4, 3)),
    ("einsum_2", lambda: Lambda(lambda m, x: torch.einsum("bij,jk->bik", x, m.w), w=_r(5, 3)), (2, 4, 5)),
    ("einsum_ellipsis", lambda: Lambda(lambda m, x: torch.einsum("...ij,...jk", x, x.transpose(-1, -2))), (2, 3, 4, 5)),
    ("einsum_3", lambda: Lambda(lambda m, x: torch.einsum("ij,jk,kl->il", x, m.a, m.b), a=_r(5, 6), b=_r(6, 2)), (4, 5)),
    ("einsum_outer", lambda: Lambda(lambda m, x: torch.einsum("i,j->ij", x, x)), (5,)),
    ("einsum_trace_sum", lambda: Lambda(lambda m, x: torch.einsum("bii,bjk->bjk", x, x)), (2, 3, 3)),
    ("tensordot", lambda: Lambda(lambda m, x: torch.tensordot(x, m.w, dims=([1, 2], [0, 1])), w=_r(3, 4, 5)), (2, 3, 4)),
    ("multi_dot", lambda: Lambda(lambda m, x: torch.linalg.multi_dot([x, m.a, m.b, m.c]),
                                 a=_r(5, 30), b=_r(30, 2), c=_r(2, 7)), (10, 5)),
    ("sdpa_4d", lambda: Lambda(lambda m, x: F.scaled_dot_product_attention(x, x, x, is_causal=True)), (2, 3, 6, 4)),
    ("sdpa_gqa", lambda: Lambda(lambda m, x: F.scaled_dot_product_attention(x, x[:, :2], x[:, :2], enable_gqa=True)), (1, 4, 5, 8)),
    ("mha", lambda: nn.MultiheadAttention(8, 2), None),
    ("mha_kdim_batch_first", lambda: nn.MultiheadAttention(8, 2, kdim=6, vdim=4, batch_first=True), None),
    ("lstm_bidir_proj", lambda: nn.LSTM(6, 8, num_layers=2, bidirectional=True, proj_size=3), (5, 2, 6)),
    ("lstm_unbatched", lambda: nn.LSTM(6, 8), (5, 6)),
    ("gru", lambda: nn.GRU(6, 8, batch_first=True, num_layers=2), (2, 5, 6)),
    ("rnn_relu", lambda: nn.RNN(6, 8, nonlinearity="relu"), (5, 2, 6)),
    ("cells", lambda: Lambda(lambda m, x: m.lstm(x)[0] + m.gru(x) + m.rnn(x)), (3, 6)),
    ("bilinear", lambda: nn.Bilinear(4, 5, 3), None),
    ("transformer_layer", lambda: nn.TransformerEncoderLayer(16, 2, 32, batch_first=True), (2, 5, 16)),
]


def inputs_for(name, spec):
    if name == "mha_kdim_batch_first":
        return (_r(2, 5, 8), _r(2, 7, 6), _r(2, 7, 4))
    if name == "mha":
        x = _r(5, 3, 8)
        return (x, x, x)
    if name == "bilinear":
        return (_r(3, 4), _r(3, 5))
    return (_r(*spec),)


def build(name, factory):
    torch.manual_seed(0)
    m = factory()
    if name == "cells":
        m.lstm, m.gru, m.rnn = nn.LSTMCell(6, 8), nn.GRUCell(6, 8), nn.RNNCell(6, 8)
    return m.eval()
