"""torchinfo's summary() arguments, for people switching: the same call gives the same inputs,
the parameter table without an input, torchinfo's column names, row settings and verbosity;
"mult-adds" are multiply-adds (FLOPs / 2), never FLOPs."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from tensorsight import summary
from tensorsight.errors import TensorsightError


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, groups=1)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return self.fc(self.bn(self.dw(self.conv(x))).mean((2, 3)))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 6)
        self.fc = nn.Linear(6, 2)

    def forward(self, ids, weights=None):
        h = self.embed(ids)
        if weights is not None:
            h = h * weights[..., None]
        return self.fc(h.mean(1))


def n_params(m):
    return sum(p.numel() for p in m.parameters())


def test_no_input_gives_the_parameter_table():
    model = Net()
    s = summary(model)
    assert not s.forward and s.trace is None
    assert [r.path for r in s.rows] == ["", "conv", "dw", "bn", "fc"]
    assert s.row("dw").params == 8 * 9 + 8 and s.row("").params == n_params(model) == s.params
    assert s.flops is None and s.columns == ("params", "percent")
    text = str(s)
    assert "Params" in text and "FLOPs" not in text.split("·")[0] and "no input given" in text


def test_input_size_batch_dim_and_dtypes():
    s = summary(Net(), input_size=(3, 16, 16), batch_dim=0)  # torchinfo: batch of 1 inserted
    assert s.inputs == ["f32[1,3,16,16]"]
    s = summary(Net(), input_size=[2, 3, 16, 16])  # a list of ints is one size
    assert s.inputs == ["f32[2,3,16,16]"]
    s = summary(TwoInputs(), input_size=[(2, 5), (2, 5)], dtypes=[torch.long, torch.float])
    assert s.inputs == ["i64[2,5]", "f32[2,5]"] and s.outputs == ["f32[2,2]"]
    with pytest.raises(TensorsightError, match="dtypes"):
        summary(TwoInputs(), input_size=[(2, 5), (2, 5)], dtypes=[torch.long])
    with pytest.raises(TensorsightError, match="input_size"):
        summary(Net(), input_size="big")


def test_input_data_dict_is_keyword_arguments():
    ids = torch.zeros(2, 5, dtype=torch.long)
    s = summary(TwoInputs(), input_data={"ids": ids, "weights": torch.ones(2, 5)})
    assert s.inputs == ["i64[2,5]", "f32[2,5]"]
    s = summary(TwoInputs(), input_data=[ids])  # a list: positional arguments
    assert s.inputs == ["i64[2,5]"]
    s = summary(TwoInputs(), input_data=ids, weights=torch.ones(2, 5))  # **kwargs to forward
    assert s.inputs == ["i64[2,5]", "f32[2,5]"]
    with pytest.raises(TensorsightError, match="once"):
        summary(TwoInputs(), ids, input_data=[ids])


def test_mult_adds_are_macs_not_flops():
    model = Net()
    s = summary(model, (1, 3, 8, 8), col_names=("input_size", "output_size", "num_params", "kernel_size",
                                                "mult_adds", "trainable", "params_percent", "groups"))
    assert s.columns == ("input", "output", "params", "kernel", "macs", "trainable", "percent", "groups")
    conv = 2 * 64 * 8 * 3 * 9
    assert s.row("conv").flops == conv and s.row("conv").macs == conv // 2
    assert s.macs == s.flops // 2 and s.quantity("macs").exact
    text = str(s)
    assert "Mult-adds (MACs)" in text and "FLOPs" not in text.split("Totals")[0]
    assert s.row("dw").groups == 8 and s.row("conv").groups == 1 and s.row("fc").groups is None


def test_row_settings_and_depth():
    s = summary(Net(), (1, 3, 8, 8), row_settings=["ascii_only", "var_names", "depth"], depth=1)
    text = str(s)
    assert "|-- conv: Conv2d" in text and "├─" not in text and "┃" not in text
    with pytest.raises(TensorsightError, match="row setting"):
        summary(Net(), (1, 3, 8, 8), row_settings=["sparkles"])


def test_hide_recursive_layers():
    lin = nn.Linear(4, 4)
    model = nn.Sequential(lin, nn.ReLU(), lin)
    shown = summary(model, (2, 4), collapse=False)
    hidden = summary(model, (2, 4), collapse=False, row_settings=["hide_recursive_layers"])
    assert len(shown.rows) == 4 and len(hidden.rows) == 3
    assert shown.params == hidden.params == 20


def test_verbose_prints(capsys):
    summary(Net(), (1, 3, 8, 8), verbose=0)
    assert capsys.readouterr().out == ""
    summary(Net(), (1, 3, 8, 8))  # tensorsight's default: returned, not printed
    assert capsys.readouterr().out == ""
    summary(Net(), (1, 3, 8, 8), verbose=1)
    assert "Totals" in capsys.readouterr().out
    s = summary(Net(), (1, 3, 8, 8), verbose=2)  # every level and column
    out = capsys.readouterr().out
    assert s.depth is None and "Kernel" in out and "Groups" in out


def test_device_is_never_moved():
    model = Net()
    s = summary(model, (1, 3, 8, 8), device="cuda")
    assert next(model.parameters()).device.type == "cpu"
    assert any("device" in n and "never moves" in n for n in s.notes)
