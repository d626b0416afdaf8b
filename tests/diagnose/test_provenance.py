"""Axis provenance on real traces of small models: what each axis is, and where it came from."""
from __future__ import annotations

import torch
import torch.nn as nn

import tensorsight
from tensorsight.diagnose.provenance.axes import Atom, Axis, axes_of, provenance_text, reshape_axes


def roles_of(amap, trace, op):
    ev = trace.find(op)[0]
    return [a.role for a in amap.roles(ev.index)], ev


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 4 * 4, 5)

    def forward(self, x):
        h = nn.functional.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(h.flatten(1))


def test_cnn_channels_space_and_a_clean_flatten():
    tr = tensorsight.trace(CNN(), (2, 3, 8, 8))
    amap = axes_of(tr)
    assert roles_of(amap, tr, "conv2d")[0] == ["batch", "channel", "height", "width"]
    assert roles_of(amap, tr, "max_pool2d")[0] == ["batch", "channel", "height", "width"]
    flat, ev = roles_of(amap, tr, "flatten")
    assert flat == ["batch", "channel·height·width"]
    assert not any(a.mixed for a in amap.roles(ev.index))
    assert roles_of(amap, tr, "linear")[0] == ["batch", "feature"]
    # the input's own axes are named by the layer that read them
    assert [a.role for a in amap.input_roles(tr.find("conv2d")[0].index, 0)] == ["batch", "channel", "height", "width"]


class Seq(nn.Module):
    def __init__(self, batch_first):
        super().__init__()
        self.rnn = nn.LSTM(4, 6, batch_first=batch_first)

    def forward(self, x):
        return self.rnn(x)[0]


def test_lstm_axes_follow_batch_first():
    tr = tensorsight.trace(Seq(True), (3, 7, 4))
    amap = axes_of(tr)
    assert roles_of(amap, tr, "lstm")[0] == ["batch", "time", "feature"]
    h_n = amap.roles(tr.find("lstm")[0].index, 1)
    assert [a.role for a in h_n] == ["layer", "batch", "feature"]


def test_time_major_input_without_evidence_is_read_as_the_rnn_says():
    # no DataLoader, no slice: dim 0 of the model input is only guessed to be the batch, and an RNN
    # without batch_first that reads it as time has the last word
    tr = tensorsight.trace(Seq(False), (7, 3, 4))
    amap = axes_of(tr)
    assert roles_of(amap, tr, "lstm")[0] == ["time", "batch", "feature"]


def test_time_major_input_fed_a_loader_batch_stays_batch():
    tr = tensorsight.trace(Seq(False), (3, 7, 4))
    amap = axes_of(tr, batch_sizes=[3])
    # the RNN reads dim 0 as time, but a DataLoader says it is the batch: it stays the batch
    assert roles_of(amap, tr, "lstm")[0][:2] == ["batch", "?"]


class Heads(nn.Module):
    def __init__(self, merge_with_transpose):
        super().__init__()
        self.qkv = nn.Linear(16, 48)
        self.ok = merge_with_transpose

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = [t.view(B, T, 4, 4).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1)]
        y = torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v
        return (y.transpose(1, 2) if self.ok else y).reshape(B, T, C)


def test_attention_heads_split_and_merge():
    tr = tensorsight.trace(Heads(True), (2, 10, 16))
    amap = axes_of(tr)
    split = tr.find("view")[0]
    assert [a.role for a in amap.roles(split.index)] == ["batch", "?", "feature", "feature"]
    merged = tr.find("reshape")[-1]
    axes = amap.roles(merged.index)
    assert not any(a.mixed for a in axes) and axes[2].atoms == (("feature", 16),)


def test_heads_merged_without_transpose_mix_time_and_heads():
    tr = tensorsight.trace(Heads(False), (2, 12, 16))
    amap = axes_of(tr)
    merged = tr.find("reshape")[-1]
    axes = amap.roles(merged.index)
    assert axes[0].role == "batch" and not axes[0].mixed
    assert axes[1].mixed and axes[2].mixed and axes[2].why == "interleave"
    # dim 2 holds an inner piece of time (4 of 12) with the head size: [(?, 4), (feature, 4)]
    assert [s for _, s in axes[2].atoms] == [4, 4] and axes[2].parts[0].total == 12
    text = provenance_text(amap, merged.index, 0, 1)
    assert text.startswith("dim 1 is mixed") and "through" in text


def test_view_that_swaps_channels_and_time_straddles():
    b, c, t = Atom("batch", 3, 1, 3), Atom("channel", 4, 2, 4), Atom("time", 7, 3, 7)
    out = reshape_axes((Axis((b,)), Axis((c,)), Axis((t,))), (3, 7, 4))
    assert not out[0].mixed and out[1].mixed and out[1].why == "straddle" and out[1].size == 7
    # the same sizes read in order are a clean split/merge
    assert not any(a.mixed for a in reshape_axes((Axis((b,)), Axis((c,)), Axis((t,))), (3, 28)))
    # a row of 40 values over samples of 60: rows straddle two samples
    s = reshape_axes((Axis((Atom("batch", 32, 1, 32),)), Axis((Atom("feature", 60, 2, 60),))), (48, 40))
    assert s[0].mixed and s[0].why == "straddle"


def test_batch_read_from_behind_another_axis_regroups_samples():
    d, b, h = Atom("layer", 2, 1, 2), Atom("batch", 12, 2, 12), Atom("feature", 24, 3, 24)
    out = reshape_axes((Axis((d,)), Axis((b,)), Axis((h,))), (12, 48))
    assert out[0].mixed and out[0].why == "batch-regrouped"
    assert out[0].role == "mixed"


def test_provenance_names_the_dataloader_and_the_permute(tmp_path):
    from .helpers import run_path
    script = tmp_path / "perm.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader, TensorDataset\n"
        "conv = nn.Conv1d(28, 4, 3)\n"
        "for (x,) in DataLoader(TensorDataset(torch.randn(16, 28, 10)), batch_size=8):\n"
        "    y = conv(x.permute(0, 1, 2).permute(0, 2, 1).permute(0, 2, 1))\n")
    run = run_path(script)
    trace = run.report.trace
    amap = axes_of(trace, batch_sizes=[8])
    conv = trace.find("conv1d")[0]
    text = provenance_text(amap, conv.index, 0, 0)
    assert text.startswith("dim 0 is batch (B=8): from the DataLoader batch [8,28,10] dim 0"), text
    prod = conv.inputs[0].producer
    text = provenance_text(amap, prod, 0, 1)
    assert "dim 1 is channel (C=28)" in text and "permute at perm.py:6" in text, text
    assert any(f.category == "permute_noop" for f in run.findings)
