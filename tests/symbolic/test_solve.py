"""tensorsight.solve: the input sizes each net accepts, checked against concrete traces."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import tensorsight
from tensorsight.errors import TensorsightError

from .helpers import concrete
from .symnets import LeNet, ResNetish, SeqConvNet, ShapeBranch, TwoInputs, UNet

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def works(model, shape) -> bool:
    return not concrete(model, shape)[1]


@pytest.fixture(scope="module")
def lenet():
    m = LeNet()
    return m, tensorsight.solve(m, "1x1xHxW")


@pytest.fixture(scope="module")
def resnet_eval():
    m = ResNetish().eval()
    return m, tensorsight.solve(m, "1x3xHxW")


@pytest.fixture(scope="module")
def resnet_train():
    m = ResNetish()
    return m, tensorsight.solve(m, "1x3xHxW")


@pytest.fixture(scope="module")
def unet():
    m = UNet()
    return m, tensorsight.solve(m, "1x1xHxW")


@pytest.fixture(scope="module")
def seqnet():
    m = SeqConvNet()
    return m, tensorsight.solve(m, "N x 4 x L")


# -- LeNet: a Linear fixes 16·⌊…⌋·⌊…⌋ = 576 --------------------------------------------------------
def test_lenet_answer(lenet):
    model, sol = lenet
    assert sol.names == ["H", "W"]
    eq = [c for c in sol.constraints if c.binding]
    assert len(eq) == 1
    assert eq[0].text == "16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋·⌊(⌊(W − 2)/2⌋ − 2)/2⌋ = 576"
    assert eq[0].module == "fc1" and eq[0].op == "F.linear" and eq[0].kind == "equality"
    # 32x32 and 33x33 work, and so do 30 and 31: ⌊(⌊(30 − 2)/2⌋ − 2)/2⌋ = 6 as well
    for h in (30, 31, 32, 33):
        for w in (30, 31, 32, 33):
            assert sol.valid((1, 1, h, w))
    for h in (28, 29, 34, 64):
        assert not sol.valid((1, 1, h, h))
    assert "square (H = W): 30 ≤ H ≤ 33" in sol.summary
    assert sol.smallest == {"H": 30, "W": 30}
    assert sol.smallest_shape == "1x1x30x30"
    # H and W trade off against each other: the product must be 36
    assert not sol.separable
    assert sol.valid((1, 1, 10, 150)) and works(model, (1, 1, 10, 150))
    assert sorted(sol.sets["H"].values)[:4] == [10, 11, 12, 13]


def test_lenet_with_width_fixed():
    sol = tensorsight.solve(LeNet(), "1x1xHx32")
    assert sol.summary == ["30 ≤ H ≤ 33"]
    assert sol.sets["H"].values == [30, 31, 32, 33]
    assert str(sol.sets["H"]) == "30 ≤ H ≤ 33"


def test_lenet_check_names_the_failing_op(lenet):
    _, sol = lenet
    chk = sol.check("1x1x28x28")
    assert not chk.ok
    assert chk.op == "F.linear" and chk.module == "fc1"
    assert "576" in chk.message and "400" in chk.message
    assert chk.nearest[0] == "1x1x30x30"
    assert all(n in ("1x1x30x30", "1x1x30x31", "1x1x31x30") for n in chk.nearest)
    assert any("= 400" in v for v in chk.violated)
    text = str(chk)
    assert "fails first at fc1" in text and "nearest sizes that work: 1x1x30x30" in text
    assert sol.check("1x1x32x32").ok
    assert sol.check(H=33, W=31).ok


# -- ResNet-style: adaptive pooling, every size from a minimum -------------------------------------
def test_resnet_eval_every_size_from_11(resnet_eval):
    model, sol = resnet_eval
    assert sol.separable
    assert sol.summary == ["H, W ≥ 11"]
    assert str(sol.sets["H"]) == "H ≥ 11" and sol.sets["H"].smallest == 11
    assert sol.smallest_shape == "1x3x11x11"
    assert works(model, (1, 3, 11, 11)) and not works(model, (1, 3, 10, 11))
    chk = sol.check("1x3x10x64")
    assert not chk.ok and chk.module == "stem.3" and chk.op == "F.max_pool2d"
    assert chk.nearest[0] == "1x3x11x64"


def test_resnet_train_batch_norm_needs_more_than_one_value(resnet_train):
    """In training, BatchNorm refuses 1x1 maps for a batch of one: not every pair works."""
    model, sol = resnet_train
    assert not sol.separable
    assert sol.summary == ["H, W ≥ 11", "except when 11 ≤ H ≤ 26 and 11 ≤ W ≤ 26"]
    assert sol.valid((1, 3, 27, 11)) and works(model, (1, 3, 27, 11))
    assert not sol.valid((1, 3, 26, 26)) and not works(model, (1, 3, 26, 26))
    chk = sol.check("1x3x20x20")
    assert chk.op == "F.batch_norm" and "more than 1 value per channel" in chk.message
    binding = [c for c in sol.constraints if c.binding]
    assert any("≠ 1" in c.text and c.op == "F.batch_norm" for c in binding)


def test_resnet_batch_as_a_name():
    sol = tensorsight.solve(ResNetish(), "N x 3 x H x W")
    assert "except when N = 1 and 11 ≤ H ≤ 26 and 11 ≤ W ≤ 26" in sol.summary
    assert sol.valid((2, 3, 11, 11)) and not sol.valid((1, 3, 11, 11))


# -- U-Net: skip connections need H divisible by 16 ------------------------------------------------
def test_unet_divisible_by_16(unet):
    model, sol = unet
    assert sol.separable
    assert sol.summary == ["H, W divisible by 16"]
    assert sol.smallest_shape == "1x1x16x16"
    assert sol.sets["W"].values[:3] == [16, 32, 48]
    kinds = {c.kind for c in sol.constraints if c.binding}
    assert kinds == {"equality"}
    assert any(c.text == "2·⌊H/16⌋ = ⌊H/8⌋" for c in sol.constraints)
    chk = sol.check("1x1x100x100")
    assert not chk.ok and chk.op == "torch.cat"
    assert chk.nearest[0] == "1x1x96x96"
    assert "1x1x112x112" not in chk.nearest[:1]
    assert sol.check("1x1x96x160").ok


# -- 1-d conv net over sequences ---------------------------------------------------------------------
def test_seqnet_lengths(seqnet):
    model, sol = seqnet
    assert sol.summary == ["any N", "99 ≤ L ≤ 102"]
    assert sol.smallest_shape == "1x4x99"
    eq = [c for c in sol.constraints if c.binding]
    assert [c.text for c in eq] == ["16·⌊⌊(L − 7)/2⌋/2⌋ = 368"]
    assert eq[0].meaning == "99 ≤ L ≤ 102"
    chk = sol.check("2x4x50")
    assert chk.op == "F.linear" and chk.nearest[0] == "2x4x99"
    for length in (98, 99, 102, 103):
        assert sol.valid((1, 4, length)) == works(model, (1, 4, length))


# -- the answer agrees with concrete traces ------------------------------------------------------------
@SETTINGS
@given(h=st.integers(1, 160), w=st.integers(1, 160))
@example(h=30, w=33)
@example(h=34, w=30)
def test_lenet_valid_iff_concrete_works(lenet, h, w):
    model, sol = lenet
    assert sol.valid((1, 1, h, w)) == works(model, (1, 1, h, w))


@SETTINGS
@given(h=st.integers(1, 80), w=st.integers(1, 80))
@example(h=26, w=27)
def test_resnet_valid_iff_concrete_works(resnet_train, h, w):
    model, sol = resnet_train
    assert sol.valid((1, 3, h, w)) == works(model, (1, 3, h, w))


@SETTINGS
@given(h=st.integers(1, 150), w=st.sampled_from([16, 40, 64]))
def test_unet_valid_iff_concrete_works(unet, h, w):
    model, sol = unet
    assert sol.valid((1, 1, h, w)) == works(model, (1, 1, h, w))


@SETTINGS
@given(n=st.integers(1, 3), length=st.integers(1, 300))
def test_seqnet_valid_iff_concrete_works(seqnet, n, length):
    model, sol = seqnet
    assert sol.valid((n, 4, length)) == works(model, (n, 4, length))


# -- code that branches on a size ----------------------------------------------------------------------
def test_branch_on_size_is_explored():
    model = ShapeBranch()
    sol = tensorsight.solve(model, "1x1xHxW")
    assert sol.runs >= 2
    assert sol.smallest_shape == "1x1x30x30"
    for shape in ((1, 1, 30, 30), (1, 1, 60, 60), (1, 1, 58, 16), (1, 1, 40, 40), (1, 1, 31, 45)):
        assert sol.valid(shape) == works(model, shape), shape
    whens = {c.when for c in sol.constraints if c.binding}
    assert whens == {"W > 40", "W ≤ 40"}


def test_several_inputs_share_names():
    sol = tensorsight.solve(TwoInputs(), ("N x T:long", "N x T"))
    assert sol.summary == ["any N", "any T"]
    assert sol.check(N=2, T=5).ok
    with pytest.raises(TensorsightError, match="not a size of the input"):
        sol.check(N=2, Q=5)


def test_to_dict_is_json():
    import json
    sol = tensorsight.solve(SeqConvNet(), "1x4xL")
    d = json.loads(json.dumps(sol.to_dict()))
    assert d["sets"]["L"]["values"] == [99, 100, 101, 102]
    assert d["smallest_shape"] == "1x4x99"
    assert d["constraints"][0]["op"]


def test_named_channels_must_match_the_first_layer():
    sol = tensorsight.solve(LeNet(), "N x C x H x W")
    assert "C = 1" in sol.summary and "any N" in sol.summary
    conv = [c for c in sol.constraints if c.binding and c.symbols == ("C",)]
    assert conv and conv[0].module == "conv1" and conv[0].text == "C = 1"
    chk = sol.check("2x3x32x32")
    assert chk.module == "conv1" and "to have 1 channels" in chk.message
    assert chk.nearest[0] == "2x1x32x32"
