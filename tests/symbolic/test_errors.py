"""Bad input and models whose shapes depend on data: one clear sentence."""
from __future__ import annotations

import pytest
import torch.nn as nn

import tensorsight
from tensorsight.errors import ForwardError, TensorsightError

from .symnets import DataDependent, ItemSized, LeNet, NonzeroNet


@pytest.mark.parametrize("model, op, code", [
    (DataDependent(), "Tensor.__getitem__", "keep = x[x > 0]"),
    (NonzeroNet(), "torch.nonzero", "torch.nonzero(x)"),
    (ItemSized(), "Tensor.item", "x.sum().item()"),
])
@pytest.mark.parametrize("api", ["symbolic", "solve"])
def test_data_dependent_sizes_name_the_op(model, op, code, api):
    with pytest.raises(TensorsightError) as err:
        getattr(tensorsight, api)(model, "N x 4")
    msg = str(err.value)
    assert "depend on tensor values" in msg
    assert op in msg and code in msg and "symnets.py:" in msg


def test_no_named_size():
    with pytest.raises(TensorsightError, match="no named sizes"):
        tensorsight.solve(LeNet(), "1x1x32x32")
    with pytest.raises(TensorsightError, match="no named sizes"):
        tensorsight.symbolic(LeNet(), (1, 1, 32, 32))


def test_unknown_names():
    with pytest.raises(TensorsightError, match="'Q'.*names are H, W"):
        tensorsight.solve(LeNet(), "1x1xHxW", hints={"Q": 3})
    sol = tensorsight.solve(LeNet(), "1x1xHx32")
    with pytest.raises(TensorsightError, match="'W' is not a size of the input; its names are H"):
        sol.check(W=32)


def test_check_size_must_fit_the_spec():
    sol = tensorsight.solve(LeNet(), "1x1xHx32")
    with pytest.raises(TensorsightError, match="has 3 sizes but the input 1x1xHx32 has 4"):
        sol.check("1x32x32")
    with pytest.raises(TensorsightError, match="a fixed size is 32, not 30"):
        sol.check("1x1x32x30")


def test_wrong_fixed_sizes_fail_whatever_the_names():
    with pytest.raises(TensorsightError, match=r"no size works: conv1 \(F.conv2d\).*to have 1 channels, but got 3"):
        tensorsight.solve(LeNet(), "1x3xHxW")
    with pytest.raises(TensorsightError, match="no size works"):
        tensorsight.solve(LeNet(), "1xHxWx5x5")


def test_symbolic_forward_error_carries_the_partial_trace():
    with pytest.raises(ForwardError) as err:
        tensorsight.symbolic(LeNet(), "N x 3 x H x W")
    tr = err.value.trace
    assert tr.mode == "symbolic" and tr.events[-1].op == "F.conv2d"
    assert tr.inputs[0].shape == ("N", 3, "H", "W")


def test_bad_form_and_range():
    with pytest.raises(TensorsightError, match="form must be"):
        tensorsight.symbolic(LeNet(), "N x 1 x H x W", form="pretty")
    with pytest.raises(TensorsightError, match="range"):
        tensorsight.solve(LeNet(), "1x1xHxW", range=(0, 10))


def test_model_left_untouched():
    from tensorsight.capture.guard import state_fingerprint
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2 * 6 * 6, 4))
    before = state_fingerprint(m)
    sol = tensorsight.solve(m, "2x1xHxW")
    assert "square (H = W): H = 8" in sol.summary
    assert state_fingerprint(m) == before


def test_lazy_layers_are_sized_by_the_example():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.LazyLinear(4))
    sol = tensorsight.solve(m, "1x1xHxW", hints={"H": 10, "W": 10})
    assert sol.valid((1, 1, 10, 10)) and sol.valid((1, 1, 6, 18)) and not sol.valid((1, 1, 11, 11))
    assert any("lazy layers" in n for n in sol.notes)
    assert sol.check("1x1x10x10").ok
    assert any(isinstance(p, nn.parameter.UninitializedParameter) for p in m.parameters())  # still lazy


def test_capital_x_typo():
    with pytest.raises(TensorsightError, match="'NX4' is read as one name; separate sizes with a lowercase x, e.g. Nx4"):
        tensorsight.solve(LeNet(), "NX4xHxW")
