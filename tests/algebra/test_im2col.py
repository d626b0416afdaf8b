"""explain_im2col: the unfold view and the account of which pixels each output reads."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from tensorsight import TensorsightError, explain_im2col
from tensorsight.algebra.im2col import Im2colExplanation

MODES = ("zeros", "circular", "reflect", "replicate")


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 3), h=st.integers(1, 6), w=st.integers(1, 6),
       k=st.tuples(st.integers(1, 3), st.integers(1, 3)), s=st.integers(1, 3),
       d=st.integers(1, 2), p=st.integers(0, 2), mode=st.sampled_from(MODES))
def test_unfold_equals_f_unfold_of_the_padded_input(c, h, w, k, s, d, p, mode):
    x = torch.randn(2, c, h, w, dtype=torch.float64)
    try:
        padded = F.pad(x, (p,) * 4, mode="constant" if mode == "zeros" else mode)
        expected = F.unfold(padded, k, dilation=d, stride=s)
    except RuntimeError:
        with pytest.raises(TensorsightError):
            explain_im2col(k, (c, h, w), stride=s, padding=p, dilation=d, padding_mode=mode)
        return
    e = explain_im2col(k, (c, h, w), stride=s, padding=p, dilation=d, padding_mode=mode)
    assert e.unfold_shape == tuple(expected.shape[1:])
    torch.testing.assert_close(e.unfold(x), expected)
    torch.testing.assert_close(e.unfold(x[0]), expected[0])


@pytest.mark.parametrize("make,shape", [
    (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=2, padding_mode="reflect"), (3, 7)),
    (lambda: nn.Conv3d(2, 3, (2, 3, 1), padding=1, dilation=(1, 2, 1), padding_mode="circular"),
     (2, 3, 4, 3)),
    (lambda: nn.Conv2d(2, 5, 3, stride=(2, 1), padding=1), (2, 6, 5)),
])
def test_conv_is_weight_times_unfold_view(make, shape):
    torch.manual_seed(0)
    conv = make().double()
    e = explain_im2col(conv, shape)
    x = torch.randn(2, *shape, dtype=torch.float64)
    cols = e.unfold(x)                                           # (N, C*K, L)
    y = conv.weight.reshape(conv.out_channels, -1) @ cols + conv.bias[:, None]
    torch.testing.assert_close(y, conv(x).flatten(2))


def test_transposed_gather_view_reproduces_conv_transpose():
    torch.manual_seed(0)
    conv = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1).double()
    e = explain_im2col(conv, (3, 4, 5))
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    cols = e.unfold(x)                                           # (N, C_in*K, L_out)
    w = conv.weight.permute(1, 0, 2, 3).reshape(2, -1)           # (C_out, C_in*K)
    torch.testing.assert_close(w @ cols + conv.bias[:, None], conv(x).flatten(2))


def test_reads_of_a_corner_with_zero_padding():
    e = explain_im2col(nn.Conv2d(3, 8, 3, padding=1), (3, 5, 5), position=(0, 0))
    assert isinstance(e, Im2colExplanation)
    assert e.unfold_shape == (27, 25) and e.out_spatial == (5, 5)
    (p,) = e.positions
    assert p.column == 0 and p.padding_taps == 5
    reads = {t.kernel_offset: t.source for t in p.taps}
    assert reads[(0, 0)] is None and reads[(1, 1)] == (0, 0) and reads[(2, 2)] == (1, 1)
    assert [t.kind for t in p.taps].count("zeros") == 5
    text = str(e)
    assert "[27, 25]" in text and "5 of 9 taps fall on zero padding" in text
    assert "0 = zero padding" in text


def test_circular_reads_wrap_and_are_marked():
    e = explain_im2col(3, (2, 5, 5), position=[(0, 0), 24], padding=1, padding_mode="circular")
    first, last = e.positions
    assert last.position == (4, 4) and last.column == 24
    corner = {t.kernel_offset: t for t in first.taps}[(0, 0)]
    assert corner.coord == (-1, -1) and corner.source == (4, 4) and corner.kind == "circular"
    text = str(e)
    assert "(4,4)*" in text and "circular" in text


def test_default_positions_are_first_middle_last_and_3d_renders():
    e = explain_im2col((2, 2, 2), (1, 3, 3, 3))
    assert [p.position for p in e.positions] == [(0, 0, 0), (1, 1, 1)]
    assert "kernel depth 1:" in str(e)
    assert math.prod(e.kernel_size) == len(e.positions[0].taps)


def test_transposed_marks_stride_gaps():
    e = explain_im2col(nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1), (2, 4), position=0)
    (p,) = e.positions
    assert [t.source for t in p.taps] == [None, (0,), None]
    assert "gather view" in str(e) and "stride gap" in str(e)


@pytest.mark.parametrize("call,words", [
    (lambda: explain_im2col(nn.Conv2d(3, 8, 3), (3, 5, 5), position=(9, 0)), ["(9, 0)"]),
    (lambda: explain_im2col(nn.Conv2d(3, 8, 3), (3, 5, 5), position=99), ["column 99"]),
    (lambda: explain_im2col(nn.Conv2d(3, 8, 3), (3, 5, 5), stride=2), ["module's own options"]),
    (lambda: explain_im2col(nn.Conv2d(3, 8, 3), (4, 5, 5)), ["expects 3 input channels"]),
    (lambda: explain_im2col(3, (3, 2, 2)), ["too small"]),
])
def test_errors(call, words):
    with pytest.raises(TensorsightError) as info:
        call()
    for w in words:
        assert w in str(info.value)
