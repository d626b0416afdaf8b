"""Formulas of tensorsight.symbolic checked against concrete traces over many sizes."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import tensorsight
from tensorsight.analysis.symbolic import formula
from tensorsight.shapes import parse_shape

from .helpers import compare, eval_text
from .symnets import LeNet, ResNetish, SeqConvNet, UNet

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def lenet():
    m = LeNet()
    return m, tensorsight.symbolic(m, "N x 1 x H x W")


@pytest.fixture(scope="module")
def resnet():
    m = ResNetish().eval()
    return m, tensorsight.symbolic(m, "N x 3 x H x W")


@pytest.fixture(scope="module")
def unet():
    m = UNet()
    return m, tensorsight.symbolic(m, "N x 1 x H x W")


@pytest.fixture(scope="module")
def seqnet():
    m = SeqConvNet()
    return m, tensorsight.symbolic(m, "N x 4 x L")


# -- what the formulas look like -------------------------------------------------------------------
def test_lenet_formulas_read_like_the_layers(lenet):
    _, tr = lenet
    assert tr.mode == "symbolic"
    assert tr.symbols == {"N": "x.shape[0]", "H": "x.shape[2]", "W": "x.shape[3]"}
    assert tr.inputs[0].shape == ("N", 1, "H", "W")
    conv1, relu, pool1, conv2, _, pool2, view, fc1 = tr.events[:8]
    assert conv1.outputs[0].shape == ("N", 6, "H − 2", "W − 2")
    assert pool1.outputs[0].shape == ("N", 6, "⌊(H − 2)/2⌋", "⌊(W − 2)/2⌋")
    assert conv2.outputs[0].shape == ("N", 16, "⌊(H − 2)/2⌋ − 2", "⌊(W − 2)/2⌋ − 2")
    assert pool2.outputs[0].shape == ("N", 16, "⌊(⌊(H − 2)/2⌋ − 2)/2⌋", "⌊(⌊(W − 2)/2⌋ − 2)/2⌋")
    assert fc1.module == "fc1"
    assert fc1.inputs[0].shape == ("N", "16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋·⌊(⌊(W − 2)/2⌋ − 2)/2⌋")
    # the batch is carried through as N, to the end
    assert all(e.outputs[0].shape[0] == "N" for e in tr.events)
    assert tr.outputs[0].shape == ("N", 10)
    # view's argument is shown as a formula too, not torch's u1//2 text
    assert "16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋·⌊(⌊(W − 2)/2⌋ − 2)/2⌋" in view.args


def test_lenet_closed_form():
    tr = tensorsight.symbolic(LeNet(), "N x 1 x H x W", form="closed")
    fc1 = tr.find("linear")[0]
    assert fc1.inputs[0].shape == ("N", "16·⌊(H − 6)/4⌋·⌊(W − 6)/4⌋")
    info = tr.symbolic_info
    assert info.form == "closed"


def test_deep_nets_are_shown_simplified(resnet, unet):
    _, tr = resnet
    assert tr.symbolic_info.form == "closed"
    last = [e for e in tr.events if e.op == "F.relu"][-1]
    assert last.outputs[0].shape == ("N", 32, "⌊(H + 5)/16⌋", "⌊(W + 5)/16⌋")
    assert tr.find("adaptive_avg_pool2d")[0].outputs[0].shape == ("N", 32, 1, 1)
    _, tr = unet
    ups = tr.find("conv_transpose2d")
    assert ups[0].outputs[0].shape == ("N", 32, "2·⌊H/16⌋", "2·⌊W/16⌋")
    assert tr.find("cat")[-1].outputs[0].shape == ("N", 8, "H", "W")


def test_seqnet_formulas(seqnet):
    _, tr = seqnet
    assert tr.symbols == {"N": "x.shape[0]", "L": "x.shape[2]"}
    assert tr.find("conv1d")[0].outputs[0].shape == ("N", 8, "L − 4")
    assert tr.find("conv1d")[1].outputs[0].shape == ("N", 16, "⌊(L − 7)/2⌋")
    assert tr.find("max_pool1d")[0].outputs[0].shape == ("N", 16, "⌊⌊(L − 7)/2⌋/2⌋")
    assert tr.find("flatten")[0].outputs[0].shape == ("N", "16·⌊⌊(L − 7)/2⌋/2⌋")


def test_formula_side_table(lenet):
    _, tr = lenet
    fc1 = tr.find("linear")[0]
    f = formula(tr, fc1.inputs[0].shape[1])
    from tensorsight.analysis.symbolic_formula import value
    assert value(f, {"H": 32, "W": 32}) == 576
    assert value(f, {"H": 28, "W": 28}) == 400
    assert eval_text(fc1.inputs[0].shape[1], {"H": 33, "W": 30}) == 576


def test_keyword_and_several_inputs():
    from .symnets import TwoInputs
    tr = tensorsight.symbolic(TwoInputs(), ("N x T:long", "N x T"))
    assert tr.outputs[0].shape == ("N", "T", 8)
    assert tr.symbols == {"N": "ids.shape[0]", "T": "ids.shape[1]"}
    tr = tensorsight.symbolic(TwoInputs(), "N x T:long", mask="N x T")
    assert tr.outputs[0].shape == ("N", "T", 8)


def test_returns_an_ordinary_trace(lenet):
    _, tr = lenet
    d = tr.to_dict()
    assert d["mode"] == "symbolic"
    assert d["events"][0]["outputs"][0]["shape"] == ["N", 6, "H − 2", "W − 2"]
    assert "⌊" in str(tr)  # renders like any trace


# -- formulas against concrete traces, over many sizes ------------------------------------------------
@SETTINGS
@given(n=st.integers(1, 3), h=st.integers(1, 200), w=st.integers(1, 200))
@example(n=1, h=32, w=32)
@example(n=2, h=30, w=33)
@example(n=1, h=10, w=150)
def test_lenet_matches_concrete(lenet, n, h, w):
    model, tr = lenet
    compare(tr, model, {"N": n, "H": h, "W": w}, parse_shape("N x 1 x H x W").dims)


@SETTINGS
@given(n=st.integers(1, 3), h=st.integers(1, 300), w=st.integers(1, 300))
@example(n=1, h=11, w=11)
@example(n=2, h=224, w=224)
@example(n=1, h=10, w=64)
def test_resnet_matches_concrete(resnet, n, h, w):
    model, tr = resnet
    compare(tr, model, {"N": n, "H": h, "W": w}, parse_shape("N x 3 x H x W").dims)


@SETTINGS
@given(h=st.integers(1, 200), w=st.integers(1, 200))
@example(h=64, w=64)
@example(h=96, w=160)
@example(h=100, w=64)
def test_unet_matches_concrete(unet, h, w):
    model, tr = unet
    compare(tr, model, {"N": 1, "H": h, "W": w}, parse_shape("N x 1 x H x W").dims)


@SETTINGS
@given(n=st.integers(1, 4), length=st.integers(1, 400))
@example(n=2, length=100)
@example(n=1, length=99)
@example(n=1, length=103)
def test_seqnet_matches_concrete(seqnet, n, length):
    model, tr = seqnet
    compare(tr, model, {"N": n, "L": length}, parse_shape("N x 4 x L").dims)


def test_whole_traces_compared_where_sizes_work(lenet, resnet, unet, seqnet):
    """Sizes that work: every op of the trace is compared (not only the ops before a failure)."""
    for (model, tr), sizes, dims in [
            (lenet, {"N": 2, "H": 31, "W": 32}, "N x 1 x H x W"),
            (resnet, {"N": 1, "H": 97, "W": 40}, "N x 3 x H x W"),
            (unet, {"N": 1, "H": 48, "W": 80}, "N x 1 x H x W"),
            (seqnet, {"N": 3, "L": 102}, "N x 4 x L")]:
        n, failed = compare(tr, model, sizes, parse_shape(dims).dims)
        assert not failed and n == len(tr.events)


def test_branches_on_sizes_are_stated():
    from .symnets import ShapeBranch
    tr = tensorsight.symbolic(ShapeBranch(), "N x 1 x H x W")
    assert tr.symbolic_info.assumes == ["W > 40"]
    assert tr.find("linear")[0].inputs[0].shape == ("N", "4·⌊(⌊H/2⌋ − 2)/2⌋·⌊(⌊W/2⌋ − 2)/2⌋")
    tr = tensorsight.symbolic(ShapeBranch(), "N x 1 x H x W", hints={"H": 30, "W": 30})
    assert tr.symbolic_info.assumes == ["W ≤ 40"]
    assert tr.find("linear")[0].inputs[0].shape == ("N", "4·⌊(H − 2)/2⌋·⌊(W − 2)/2⌋")
