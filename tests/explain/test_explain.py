"""explain_shape: the arithmetic behind each traced op, checked against the traced sizes."""
from __future__ import annotations

import time

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import tensorsight
from tensorsight.analysis.explain import (DimWhy, Explanation, explain_shape, explain_trace,
                                          explain_view_failure, handler_for)
from tensorsight.capture.events import OpEvent, TensorMeta, TensorRef, Trace


# -- helpers ----------------------------------------------------------------------------------

def explained(tr: Trace, op: str, k: int = 0):
    """The k-th event whose op is ``op``, with its explanation (which must exist and fit)."""
    events = [e for e in tr if e.op == op]
    assert len(events) > k, f"no {op} #{k} in {[e.op for e in tr]}"
    e = events[k]
    h = handler_for(e)
    assert h is not None, f"no handler for {e.op}"
    ex = h(e, tr)  # called directly so that a bug raises here instead of being swallowed
    assert ex is not None, f"no explanation for {e.op} {e.args} {e.kwargs}"
    assert explain_shape(e, tr) == ex
    assert_fits(ex, e)
    return e, ex


def assert_fits(ex: Explanation, e: OpEvent):
    for d in ex.dims:
        assert d.size == e.outputs[d.output].shape[d.axis], (d, e.outputs)
        assert d.formula
    for line in ex.lines():
        assert isinstance(line, str) and line


def dim(ex: Explanation, label: str, output: int = 0) -> DimWhy:
    hits = [d for d in ex.dims if d.label == label and d.output == output]
    assert hits, f"no {label} in {ex.dims}"
    return hits[0]


def final(formula: str) -> int:
    return int(formula.rsplit("=", 1)[1].strip().replace("−", "-"))


def run(fn, shape):
    return tensorsight.trace(fn, shape)


class LeNet(nn.Module):
    """The PyTorch tutorial network."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 6 * 6)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


@pytest.fixture(scope="module")
def lenet():
    return tensorsight.trace(LeNet(), (1, 1, 32, 32))


# -- the tutorial LeNet -----------------------------------------------------------------------

def test_lenet_conv1(lenet):
    e, ex = explained(lenet, "F.conv2d", 0)
    assert e.outputs[0].shape == (1, 6, 30, 30)
    assert ex.summary == "conv 3×3, stride 1, padding 0: 1×32×32 → 6×30×30"
    h = dim(ex, "H")
    assert (h.axis, h.size) == (2, 30)
    assert h.formula == "⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30"
    assert h.note == "a 3×3 kernel without padding loses 1 on each side"
    assert "  H: ⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30 — a 3×3 kernel without padding loses 1 on each side" in ex.lines()
    assert dim(ex, "C").size == 6 and dim(ex, "C").formula == "out_channels = 6"
    assert "  unchanged: N = 1" in ex.lines()


def test_lenet_pools_and_conv2(lenet):
    e, ex = explained(lenet, "F.max_pool2d", 0)
    assert e.outputs[0].shape == (1, 6, 15, 15)
    assert dim(ex, "H").formula == "⌊(30 − 2)/2⌋ + 1 = 15"
    assert dim(ex, "H").note == "stride 2 halves it"
    e, ex = explained(lenet, "F.conv2d", 1)
    assert e.outputs[0].shape == (1, 16, 13, 13)
    assert dim(ex, "W").formula == "⌊(15 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 13"
    e, ex = explained(lenet, "F.max_pool2d", 1)
    assert e.outputs[0].shape == (1, 16, 6, 6)
    assert "  H: ⌊(13 − 2)/2⌋ + 1 = 6 — 13 is odd, the last row is dropped" in ex.lines()
    assert dim(ex, "W").note == "13 is odd, the last column is dropped"


def test_lenet_view_and_linear(lenet):
    e, ex = explained(lenet, "Tensor.view")
    assert e.outputs[0].shape == (1, 576)
    assert ex.dims[0].formula == "-1 = 576 / 576 = 1"
    assert ex.dims[1].size == 576 and ex.dims[1].formula == "16·6·6 = 576"
    assert "merges input axes 1–3" in ex.dims[1].note
    assert "1·16·6·6 = 576" in ex.summary
    e, ex = explained(lenet, "F.linear")
    assert "[1,576] @ W[120,576]ᵀ" in ex.summary and ex.summary.endswith("→ [1,120]")
    f = dim(ex, "features")
    assert f.size == 120 and "576" in f.note


def test_explain_trace_and_lazy_export(lenet):
    why = explain_trace(lenet)
    ops = {lenet[i].op for i in why}
    assert {"F.conv2d", "F.max_pool2d", "Tensor.view", "F.linear"} <= ops
    assert "F.relu" not in ops  # shape-preserving ops have nothing to explain
    assert tensorsight.explain_shape is explain_shape
    text = str(why[0])
    assert text.splitlines()[0] == why[0].summary


# -- convolutions and pooling -----------------------------------------------------------------

def test_padding_same_odd_and_even_kernels():
    w3, w4 = torch.zeros(4, 2, 3, 3), torch.zeros(4, 2, 4, 4)
    tr = run(lambda x: (F.conv2d(x, w3, padding="same"), F.conv2d(x, w4, padding="same", dilation=1)),
             (1, 2, 32, 32))
    _, ex = explained(tr, "F.conv2d", 0)
    assert dim(ex, "H").formula == "⌊(32 + (1+1) − 1·(3−1) − 1)/1⌋ + 1 = 32"
    assert "keeping the size" in dim(ex, "H").note and "'same'" in ex.summary
    _, ex = explained(tr, "F.conv2d", 1)
    assert dim(ex, "H").formula == "⌊(32 + (1+2) − 1·(4−1) − 1)/1⌋ + 1 = 32"
    assert "1 before and 2 after" in dim(ex, "H").note


def test_padding_one_keeps_the_size():
    tr = tensorsight.trace(nn.Conv2d(3, 8, 3, padding=1), (2, 3, 16, 16))
    _, ex = explained(tr, "F.conv2d")
    assert dim(ex, "H").note == "padding 1 keeps the size"


def test_stride_and_dilation():
    tr = tensorsight.trace(nn.Conv2d(2, 4, 3, stride=2, dilation=2), (1, 2, 32, 32))
    e, ex = explained(tr, "F.conv2d")
    assert e.outputs[0].shape == (1, 4, 14, 14)
    h = dim(ex, "H")
    assert h.formula == "⌊(32 + 2·0 − 2·(3−1) − 1)/2⌋ + 1 = 14"
    assert "dilation 2 spreads the 3-wide kernel over 5" in h.note
    assert "dilation 2" in ex.summary and "stride 2" in ex.summary


def test_resnet_stem_halves():
    tr = tensorsight.trace(nn.Sequential(nn.Conv2d(3, 8, 7, 2, 3), nn.MaxPool2d(3, 2, 1)), (1, 3, 224, 224))
    _, ex = explained(tr, "F.conv2d")
    assert dim(ex, "H").formula == "⌊(224 + 2·3 − 1·(7−1) − 1)/2⌋ + 1 = 112"
    assert dim(ex, "H").note == "stride 2 halves it"
    _, ex = explained(tr, "F.max_pool2d")
    assert dim(ex, "H").formula == "⌊(112 + 2·1 − 3)/2⌋ + 1 = 56"
    assert dim(ex, "H").note == "stride 2 halves it"


def test_ceil_mode():
    tr = run(lambda x: (F.max_pool2d(x, 2, ceil_mode=True), nn.MaxPool2d(2, 2, 1, ceil_mode=True)(x[..., :5, :5]),
                        F.max_pool2d(x, 2)), (1, 1, 7, 7))
    e, ex = explained(tr, "F.max_pool2d", 0)
    assert e.outputs[0].shape == (1, 1, 4, 4)
    assert dim(ex, "H").formula == "⌈(7 − 2)/2⌉ + 1 = 4"
    assert dim(ex, "H").note == "ceil_mode keeps the partial window"
    e, ex = explained(tr, "F.max_pool2d", 1)
    assert e.outputs[0].shape == (1, 1, 3, 3)
    assert dim(ex, "H").formula == "⌈(5 + 2·1 − 2)/2⌉ + 1 − 1 = 3"
    assert "start in the padding" in dim(ex, "H").note
    e, ex = explained(tr, "F.max_pool2d", 2)
    assert dim(ex, "H").formula == "⌊(7 − 2)/2⌋ + 1 = 3" and dim(ex, "H").note == "7 is odd, the last row is dropped"


def test_adaptive_avg_pool():
    tr = tensorsight.trace(nn.Sequential(nn.AdaptiveAvgPool2d((5, 1)), nn.AdaptiveMaxPool2d((None, 1))),
                           (2, 4, 12, 12))
    e, ex = explained(tr, "F.adaptive_avg_pool2d")
    assert e.outputs[0].shape == (2, 4, 5, 1)
    assert dim(ex, "H").formula == "output_size = 5" and "3–4 rows" in dim(ex, "H").note
    assert "global" in dim(ex, "W").note
    e, ex = explained(tr, "F.adaptive_max_pool2d")
    assert dim(ex, "H").size == 5 and "None" in dim(ex, "H").formula


def test_conv_transpose_output_padding():
    tr = tensorsight.trace(nn.ConvTranspose2d(16, 4, 3, stride=2, padding=1, output_padding=1), (1, 16, 6, 6))
    e, ex = explained(tr, "F.conv_transpose2d")
    assert e.outputs[0].shape == (1, 4, 12, 12)
    h = dim(ex, "H")
    assert h.formula == "(6 − 1)·2 − 2·1 + 1·(3−1) + 1 + 1 = 12"
    assert "stride 2 multiplies it by 2" in h.note and "output_padding 1" in h.note
    assert dim(ex, "C").size == 4 and "output_padding 1" in ex.summary


def test_conv1d_conv3d_maxpool1d():
    tr = tensorsight.trace(nn.Sequential(nn.Conv1d(2, 3, 5, padding=1), nn.MaxPool1d(3)), (4, 2, 20))
    e, ex = explained(tr, "F.conv1d")
    assert e.outputs[0].shape == (4, 3, 18)
    assert dim(ex, "L").formula == "⌊(20 + 2·1 − 1·(5−1) − 1)/1⌋ + 1 = 18"
    assert "padding 1 makes up for only part" in dim(ex, "L").note
    assert ex.summary.startswith("conv1d, kernel 5")
    e, ex = explained(tr, "F.max_pool1d")
    assert e.outputs[0].shape == (4, 3, 6)
    assert dim(ex, "L").formula == "⌊(18 − 3)/3⌋ + 1 = 6"
    tr = tensorsight.trace(nn.Conv3d(1, 2, 3, stride=(1, 2, 2)), (1, 1, 8, 9, 9))
    e, ex = explained(tr, "F.conv3d")
    assert e.outputs[0].shape == (1, 2, 6, 4, 4)
    assert [d.label for d in ex.dims] == ["N", "C", "D", "H", "W"]
    assert dim(ex, "D").formula == "⌊(8 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 6"
    assert "stride (1, 2, 2)" in ex.summary


def test_padding_mode_reflect_is_mentioned():
    tr = tensorsight.trace(nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect"), (1, 2, 9, 9))
    _, ex = explained(tr, "F.pad")
    assert dim(ex, "dim 2").formula == "9 + 1 + 1 = 11"
    _, ex = explained(tr, "F.conv2d")
    assert "F.pad (reflect) added 1 on each side just before, so the size stays 9" in dim(ex, "H").note


def test_failed_conv_shows_why_it_is_empty():
    with pytest.raises(tensorsight.errors.ForwardError) as info:
        tensorsight.trace(nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2), nn.Conv2d(2, 2, 3)), (1, 1, 5, 5))
    e = info.value.trace.events[-1]
    assert e.error and e.op == "F.conv2d"
    ex = explain_shape(e, info.value.trace)
    assert dim(ex, "H").formula == "⌊(1 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = −1"
    assert "no window fits" in dim(ex, "H").note and "empty" in ex.summary


def test_interpolate_scale_factor_floors():
    tr = run(lambda x: (F.interpolate(x, scale_factor=2.5), nn.Upsample(size=(5, 4))(x[..., None])), (1, 1, 7))
    e, ex = explained(tr, "F.interpolate", 0)
    assert e.outputs[0].shape == (1, 1, 17)
    assert dim(ex, "L").formula == "⌊7·2.5⌋ = 17"
    assert dim(ex, "L").note == "7·2.5 = 17.5, rounded down"
    e, ex = explained(tr, "F.interpolate", 1)
    assert e.outputs[0].shape == (1, 1, 5, 4) and dim(ex, "H").formula == "size = 5"


def test_unfold_and_pixel_shuffle():
    tr = run(lambda x: (F.unfold(x, 3, padding=1, stride=2), x.unfold(3, 4, 2), F.pixel_shuffle(x, 2)),
             (1, 4, 8, 8))
    _, ex = explained(tr, "F.unfold")
    assert dim(ex, "C·k").formula == "4·3·3 = 36" and dim(ex, "L").formula == "4·4 = 16"
    _, ex = explained(tr, "Tensor.unfold")
    assert dim(ex, "dim 3").formula == "⌊(8 − 4)/2⌋ + 1 = 3"
    _, ex = explained(tr, "F.pixel_shuffle")
    assert dim(ex, "C").formula == "4/2² = 1"


# -- layout -----------------------------------------------------------------------------------

def test_view_reshape_flatten():
    tr = run(lambda x: (x.view(16, -1), x.reshape(-1, 4, 25), x.flatten(1)), (16, 600))
    e, ex = explained(tr, "Tensor.view", 0)
    assert ex.dims[1].formula == "-1 = 9600 / 16 = 600"
    e, ex = explained(tr, "Tensor.reshape")
    assert e.outputs[0].shape == (96, 4, 25)
    assert ex.dims[0].formula == "-1 = 9600 / (4·25) = 96"
    assert ex.dims[2].note == "regroups input axes 0–1: 16·600 = 96·4·25"
    _, ex = explained(tr, "Tensor.flatten")  # nothing to merge on a 2-D tensor
    tr = run(lambda x: (x.flatten(1), torch.flatten(x, 1, 2)), (1, 16, 6, 6))
    _, ex = explained(tr, "Tensor.flatten")
    assert dim(ex, "dim 1").formula == "16·6·6 = 576" and "axes 1–3" in dim(ex, "dim 1").note
    _, ex = explained(tr, "torch.flatten")
    assert dim(ex, "dim 1").formula == "16·6 = 96"
    tr = run(lambda x: x.unflatten(1, (2, -1)), (16, 600))
    _, ex = explained(tr, "Tensor.unflatten")
    assert dim(ex, "dim 2").formula == "-1 = 600 / 2 = 300"


def test_view_failure_arithmetic():
    assert explain_view_failure((16, 6, 10, 10), (16, 400)) == (
        "shape '[16, 400]' is invalid for input of size 9600: 16·400 = 6400 ≠ 9600 = 16 × 600")
    msg = explain_view_failure((16, 600), (-1, 7))
    assert msg.startswith("shape '[-1, 7]' is invalid for input of size 9600: -1 = 9600 / 7 = 1371")
    assert "not a multiple of 7" in msg
    assert "only one dimension" in explain_view_failure((4, 4), (-1, -1))
    assert explain_view_failure((16, 600), (-1, 400)) == ""
    assert explain_view_failure((16, 600), (96, 100)) == ""
    # the message starts exactly like torch's own
    with pytest.raises(RuntimeError) as info:
        torch.zeros(16, 600).view(16, 400)
    assert str(info.value).startswith(explain_view_failure((16, 600), (16, 400)).split(":")[0])


def test_permute_transpose_squeeze_unsqueeze():
    tr = run(lambda x: (x.permute(0, 2, 3, 1), x.transpose(1, 2), x.squeeze(1), x[:, :1].squeeze(1),
                        x.unsqueeze(-1)), (2, 3, 4, 5))
    e, ex = explained(tr, "Tensor.permute")
    assert e.outputs[0].shape == (2, 4, 5, 3)
    assert dim(ex, "dim 3").formula == "input axis 1 = 3" and dim(ex, "dim 3").note == "moved from axis 1"
    assert "1→3" in ex.summary
    _, ex = explained(tr, "Tensor.transpose")
    assert dim(ex, "dim 1").formula == "input axis 2 = 4"
    _, ex = explained(tr, "Tensor.squeeze", 0)
    assert "axis 1 has size 3, not 1, so it stays" in ex.summary
    _, ex = explained(tr, "Tensor.squeeze", 1)
    assert "axis 1 has size 1 and is removed" in ex.summary
    _, ex = explained(tr, "Tensor.unsqueeze")
    assert dim(ex, "dim 4").size == 1 and "unsqueeze(-1)" in dim(ex, "dim 4").note


def test_cat_and_stack():
    tr = run(lambda x: (torch.cat([x, x[:, :2]], dim=1), torch.stack([x, x], dim=1)), (2, 3, 4))
    e, ex = explained(tr, "torch.cat")
    assert e.outputs[0].shape == (2, 5, 4)
    assert dim(ex, "dim 1").formula == "3 + 2 = 5" and "must match" in ex.summary
    e, ex = explained(tr, "torch.stack")
    assert e.outputs[0].shape == (2, 2, 3, 4) and dim(ex, "dim 1").formula == "2 tensors"


def test_indexing_chunk_split_reductions_repeat_expand_pad():
    tr = run(lambda x: (x[:, -1], x[..., None, 1:3], x.chunk(2, 1), x.split([1, 3], dim=1),
                        x.mean(dim=1, keepdim=True), x.sum(-1), x.repeat(1, 2, 1),
                        x[:, :1].expand(-1, 4, -1), F.pad(x, (1, 2, 3, 4))), (2, 4, 5))
    e, ex = explained(tr, "Tensor.__getitem__", 0)
    assert e.outputs[0].shape == (2, 5)
    assert "-1 picks one of 4 along axis 1, which drops that axis" in ex.summary
    e, ex = explained(tr, "Tensor.__getitem__", 1)
    assert e.outputs[0].shape == (2, 4, 1, 2)
    assert dim(ex, "dim 2").note == "None adds a size-1 axis" and dim(ex, "dim 3").formula == "1:3 of 5 = 2"
    e, ex = explained(tr, "Tensor.chunk")
    assert [d.output for d in ex.dims if d.label == "dim 1"] == [0, 1]
    _, ex = explained(tr, "Tensor.split")
    assert "1 + 3 = 4" in ex.summary
    _, ex = explained(tr, "Tensor.mean")
    assert "keepdim=True" in dim(ex, "dim 1").note
    _, ex = explained(tr, "Tensor.sum")
    assert "removes it" in ex.summary
    _, ex = explained(tr, "Tensor.repeat")
    assert dim(ex, "dim 1").formula == "4·2 = 8"
    _, ex = explained(tr, "Tensor.expand")
    assert dim(ex, "dim 1").formula == "1 → 4"
    e, ex = explained(tr, "F.pad")
    assert e.outputs[0].shape == (2, 11, 8)
    assert dim(ex, "dim 2").formula == "5 + 1 + 2 = 8" and dim(ex, "dim 1").formula == "4 + 3 + 4 = 11"


# -- products, lookups, recurrences, attention ------------------------------------------------

def test_matmul_broadcasting():
    w = torch.zeros(8, 3)
    w3 = torch.zeros(4, 8, 3)
    tr = run(lambda x: (x @ w, x @ w3, torch.matmul(x[0, 0, 0], w)), (2, 1, 5, 8))
    e, ex = explained(tr, "Tensor.matmul", 0)
    assert e.outputs[0].shape == (2, 1, 5, 3)
    assert "batch dims broadcast" in ex.summary and "inner 8 = 8 contracts" in ex.summary
    assert dim(ex, "rows").formula == "rows of the left = 5" and dim(ex, "cols").size == 3
    e, ex = explained(tr, "Tensor.matmul", 1)
    assert e.outputs[0].shape == (2, 4, 5, 3)
    assert [d.formula for d in ex.dims if d.label == "batch"] == ["2", "broadcast(1, 4) = 4"]
    e, ex = explained(tr, "torch.matmul")
    assert e.outputs[0].shape == (3,) and [d.label for d in ex.dims] == ["cols"]


def test_bmm_and_einsum():
    tr = run(lambda x: (torch.bmm(x, x.transpose(1, 2)),
                        torch.einsum("bij,bkj->bik", x, x)), (4, 5, 8))
    e, ex = explained(tr, "torch.bmm")
    assert e.outputs[0].shape == (4, 5, 5) and "batch dims match" in ex.summary
    _, ex = explained(tr, "torch.einsum")
    assert "sums over j (8)" in ex.summary and dim(ex, "k").formula == "k = 5"


def test_embedding_token_ids():
    tr = tensorsight.trace(nn.Embedding(1000, 64), "2x128:long")
    e, ex = explained(tr, "F.embedding")
    assert e.outputs[0].shape == (2, 128, 64)
    f = dim(ex, "features")
    assert f.formula == "embedding_dim = 64" and "< 1000" in f.note
    assert "ids [2,128]" in ex.summary


@pytest.mark.parametrize("batch_first", [False, True])
def test_lstm(batch_first):
    tr = tensorsight.trace(nn.LSTM(10, 20, num_layers=2, batch_first=batch_first), (3, 7, 10))
    lstm = [e for e in tr if e.module_type == "LSTM" and "lstm" in e.op.lower()]
    assert lstm, [e.op for e in tr]
    e = lstm[0]
    ex = explain_shape(e, tr)
    assert ex is not None
    assert_fits(ex, e)
    assert e.outputs[0].shape == (3, 7, 20)
    assert [d.label for d in ex.dims if d.output == 0][:2] == (["N", "L"] if batch_first else ["L", "N"])
    h = [d for d in ex.dims if d.output == 1]
    assert [d.size for d in h] == [2, 7 if not batch_first else 3, 20]
    assert h[0].formula == "2·1 = 2"
    if batch_first:
        assert "even with batch_first=True" in h[1].note
    assert len([d for d in ex.dims if d.output == 2]) == 3  # c_n


def test_bidirectional_gru_and_rnn():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(8, 16, bidirectional=True, batch_first=True)
            self.rnn = nn.RNN(8, 4)

        def forward(self, x):
            return self.gru(x)[0], self.rnn(x)[1]
    tr = tensorsight.trace(M(), (2, 5, 8))
    e = next(e for e in tr if e.module_type == "GRU" and "gru" in e.op)
    ex = explain_shape(e, tr)
    assert_fits(ex, e)
    assert dim(ex, "features").formula == "2·16 = 32" and "bidirectional" in dim(ex, "features").note
    assert dim(ex, "h_n layers·dirs", 1).formula == "1·2 = 2"
    e = next(e for e in tr if e.module_type == "RNN" and "rnn" in e.op)
    assert explain_shape(e, tr) is not None


def test_sdpa_and_multihead_attention():
    q = torch.zeros(2, 4, 5, 8)
    k = torch.zeros(2, 4, 9, 8)
    v = torch.zeros(2, 4, 9, 6)
    tr = run(lambda x: F.scaled_dot_product_attention(x, k, v), (2, 4, 5, 8))
    e, ex = explained(tr, "F.scaled_dot_product_attention")
    assert e.outputs[0].shape == (2, 4, 5, 6)
    assert dim(ex, "L").formula == "query length = 5" and dim(ex, "Ev").formula == "value dim = 6"
    assert "weights [2,4,5,9]" in ex.summary
    m = nn.MultiheadAttention(8, 2, batch_first=True)
    tr = tensorsight.trace(lambda x: m(x, x, x), (2, 3, 8))
    _, ex = explained(tr, "F.multi_head_attention_forward")
    assert "2 heads of 4" in dim(ex, "E").note


def test_broadcasting_elementwise():
    tr = run(lambda x: (x + torch.zeros(4, 1), x * 2, x - x), (2, 1, 3))
    e, ex = explained(tr, "Tensor.add")
    assert e.outputs[0].shape == (2, 4, 3) and dim(ex, "dim 1").formula == "broadcast(1, 4) = 4"
    assert explain_shape(next(e for e in tr if e.op == "Tensor.mul"), tr) is None
    assert explain_shape(next(e for e in tr if e.op == "Tensor.sub"), tr) is None


# -- robustness and cost ----------------------------------------------------------------------

def test_symbolic_sizes_do_not_break():
    x = TensorMeta(("s0", 1, "s1", "s1"), "float32")
    w = TensorMeta((6, 1, 3, 3), "float32", role="weight")
    out = TensorMeta(("s0", 6, "s1 - 2", "s1 - 2"), "float32")
    e = OpEvent(0, "F.conv2d", [x, w], [out], (TensorRef(0), TensorRef(1), None, (1, 1), (0, 0), (1, 1), 1))
    ex = explain_shape(e)
    assert ex is not None
    assert dim(ex, "H").formula == "⌊(s1 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = s1 - 2"
    e = OpEvent(1, "Tensor.view", [TensorMeta(("s0", 16, 6, 6), "float32")],
                [TensorMeta(("s0", 576), "float32")], (TensorRef(0), -1, 576))
    ex = explain_shape(e)
    assert ex is not None and ex.dims[0].formula == "-1 = s0·16·6·6 / 576 = s0"


def test_on_a_symbolic_trace(lenet):
    symbolic = pytest.importorskip("tensorsight.analysis.symbolic").symbolic
    tr = symbolic(LeNet(), "N x 1 x H x W")
    for e in tr:
        h = handler_for(e)
        if h is not None and e.op != "F.relu":
            ex = h(e, tr)
            assert ex is not None and explain_shape(e, tr) == ex, e.op
    _, ex = explained(tr, "F.conv2d")
    assert dim(ex, "H").formula.startswith("⌊(H + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = ")
    assert "6×(H − 2)×(W − 2)" in ex.summary


def test_odd_events_never_raise():
    from tensorsight.analysis.explain import _FULL, _load
    _load()
    junk_args = [(), (TensorRef(0),), (TensorRef(5), "x", None), (TensorRef(0), (1, "a"), -7, [TensorRef(0)]),
                 ("ij->j", TensorRef(0)), (TensorRef(0), TensorRef(0), "same", (), {}, 3.5)]
    metas = [[], [TensorMeta((), "float32")], [TensorMeta(("n", 3), "float32"), TensorMeta((0,), "int64")]]
    for op in list(_FULL) + ["torch.lstm", "torch._VF.gru", "unknown.op"]:
        for args in junk_args:
            for ins in metas:
                for outs in ([], ins, [TensorMeta((2, 3), "float32")]):
                    e = OpEvent(0, op, ins, outs, args, {"dim": "x"} if len(args) > 2 else {},
                                module_type="LSTM", error="boom" if not outs else "")
                    ex = explain_shape(e)
                    assert ex is None or isinstance(ex, Explanation)


class Zoo(nn.Module):
    """Many kinds of ops in one forward, to run every handler on real events."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, padding_mode="circular")
        self.bn = nn.BatchNorm2d(8)
        self.ct = nn.ConvTranspose2d(8, 4, 4, 2, 1)
        self.pool = nn.AvgPool2d(3, 2, 1, ceil_mode=True)
        self.ap = nn.AdaptiveAvgPool2d(1)
        self.flat = nn.Flatten()
        self.emb = nn.Embedding(50, 8)
        self.lstm = nn.LSTM(8, 6, batch_first=True, bidirectional=True)
        self.mha = nn.MultiheadAttention(8, 2)
        self.up = nn.Upsample(scale_factor=1.5, mode="bilinear")

    def forward(self, x):
        y = self.pool(self.bn(self.conv(x)))
        z = self.up(self.ct(y))
        v = self.flat(self.ap(y))
        t = self.emb(torch.zeros(2, 5, dtype=torch.long))
        o, (h, c) = self.lstm(t)
        a, w = self.mha(t, t, t)
        s = torch.einsum("bld,bmd->blm", t, t).softmax(-1)
        r = (s @ t).transpose(1, 2).reshape(2, -1)[:, :10].unsqueeze(1).expand(2, 3, 10)
        q = torch.stack(r.chunk(2, -1), 0).mean((0, -1)).max(dim=-1).values
        g = F.grid_sample(z, torch.zeros(2, 4, 4, 2), align_corners=False)
        return v, o.sum(1), h.permute(1, 0, 2).flatten(1), q, g.amax(dim=(2, 3), keepdim=True), a[..., 0]


def test_handlers_do_not_raise_on_real_traces(lenet):
    tr = tensorsight.trace(Zoo(), (2, 3, 16, 16))
    seen = 0
    for t in (tr, lenet):
        for e in t:
            h = handler_for(e)
            if h is None:
                continue
            ex = h(e, t)  # raises on a bug
            if ex is not None:
                assert_fits(ex, e)
                seen += 1
    ops = {e.op for e in tr if explain_shape(e, tr) is not None}
    assert {"F.conv2d", "F.pad", "F.conv_transpose2d", "F.avg_pool2d", "F.adaptive_avg_pool2d",
            "Tensor.flatten", "F.embedding", "torch.lstm", "torch.einsum", "F.interpolate",
            "F.multi_head_attention_forward", "Tensor.reshape", "Tensor.chunk", "torch.stack",
            "Tensor.mean", "Tensor.max", "Tensor.amax", "Tensor.expand", "Tensor.permute"} <= ops, ops
    assert seen > 25


def test_cost_for_a_long_trace(lenet):
    big = Trace(events=[e for _ in range(300) for e in lenet.events], model="big")
    assert len(big) >= 3000
    t0 = time.perf_counter()
    found = [explain_shape(e, big) for e in big]
    assert time.perf_counter() - t0 < 3.0
    assert sum(ex is not None for ex in found) == 300 * 8  # 2 conv, 2 pool, view, 3 linear
