"""conv_matrix / conv_to_linear: the matrix equals F.conv*d for every option (property tests)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from torch import nn

from tensorsight import TensorsightError, conv_matrix, conv_to_linear
from tensorsight.algebra.conv_matrix import SparseLinear

MODES = ("zeros", "circular", "reflect", "replicate")
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Config:
    nd: int
    transposed: bool
    cin: int
    cout: int
    groups: int
    kernel: tuple
    stride: tuple
    padding: object
    dilation: tuple
    mode: str
    output_padding: tuple
    spatial: tuple
    bias: bool
    batched: bool

    def module(self) -> nn.Module:
        kw = dict(stride=self.stride, padding=self.padding, dilation=self.dilation,
                  groups=self.groups, bias=self.bias, padding_mode=self.mode)
        if self.transposed:
            kw["output_padding"] = self.output_padding
            cls = getattr(nn, f"ConvTranspose{self.nd}d")
        else:
            cls = getattr(nn, f"Conv{self.nd}d")
        return cls(self.cin, self.cout, self.kernel, **kw).double()

    @property
    def input_shape(self):
        shape = (self.cin, *self.spatial)
        return (2, *shape) if self.batched else shape


@st.composite
def configs(draw, nd=None, transposed=None):
    nd = draw(st.integers(1, 3)) if nd is None else nd
    transposed = draw(st.booleans()) if transposed is None else transposed
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    maxk, maxn = (3, 6) if nd < 3 else (2, 4)
    dims = lambda lo, hi: tuple(draw(st.integers(lo, hi)) for _ in range(nd))  # noqa: E731
    kernel, stride, dilation, spatial = dims(1, maxk), dims(1, 3), dims(1, 2), dims(1, maxn)
    if transposed:
        mode = "zeros"
        padding = dims(0, 2)
        output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    else:
        mode = draw(st.sampled_from(MODES))
        padding = draw(st.one_of(st.integers(0, 2), st.just(None), st.sampled_from(["same", "valid"])))
        padding = dims(0, 2) if padding is None else padding
        if padding == "same":
            stride = (1,) * nd
        output_padding = (0,) * nd
    return Config(nd, transposed, cin, cout, groups, kernel, stride, padding, dilation, mode,
                  output_padding, spatial, draw(st.booleans()), draw(st.booleans()))


def _torch_output(conv, x):
    try:
        return conv(x)
    except (RuntimeError, ValueError):
        return None


def _check_against_torch(cfg: Config, seed: int):
    torch.manual_seed(seed)
    conv = cfg.module()
    x = torch.randn(3, cfg.cin, *cfg.spatial, dtype=torch.float64)
    expected = _torch_output(conv, x)
    event(f"{'transposed' if cfg.transposed else cfg.mode} {cfg.nd}d")
    event("torch refuses" if expected is None else "torch accepts")
    if expected is None:               # torch refuses this shape: so must we, with our error
        with pytest.raises(TensorsightError):
            conv_matrix(conv, cfg.input_shape)
        return None
    B, b = conv_matrix(conv, cfg.input_shape)
    assert B.layout == torch.sparse_csr
    assert B.shape == (expected[0].numel(), x[0].numel())
    got = (B @ x.flatten(1).T).T
    if cfg.bias:
        assert b.shape == (B.shape[0],)
        got = got + b
    else:
        assert b is None
    torch.testing.assert_close(got, expected.flatten(1), rtol=1e-10, atol=1e-10)
    # canonical CSR: rows increasing, columns sorted and unique within each row
    torch.sparse_csr_tensor(B.crow_indices(), B.col_indices(), B.values(), B.shape,
                            check_invariants=True)
    crow, col = B.crow_indices(), B.col_indices()
    row = torch.repeat_interleave(torch.arange(B.shape[0]), crow.diff())
    key = row * B.shape[1] + col
    assert bool((key[1:] > key[:-1]).all())
    return conv, B, b


@PROPERTY
@given(cfg=configs(), seed=st.integers(0, 2 ** 16))
def test_matrix_equals_conv_for_random_configurations(cfg, seed):
    _check_against_torch(cfg, seed)


@settings(max_examples=40, deadline=None)
@given(cfg=configs(nd=2, transposed=False), seed=st.integers(0, 2 ** 16))
def test_dense_and_coo_layouts_equal_csr(cfg, seed):
    torch.manual_seed(seed)
    conv = cfg.module()
    try:
        B, _ = conv_matrix(conv, cfg.input_shape)
    except TensorsightError:
        return
    D, _ = conv_matrix(conv, cfg.input_shape, layout="dense")
    C, _ = conv_matrix(conv, cfg.input_shape, layout="coo")
    assert D.layout == torch.strided and C.layout == torch.sparse_coo and C.is_coalesced()
    assert torch.equal(B.to_dense(), D)
    assert torch.equal(C.to_dense(), D)


@settings(max_examples=60, deadline=None)
@given(cfg=configs(), seed=st.integers(0, 2 ** 16))
def test_functional_form_gives_the_same_matrix(cfg, seed):
    torch.manual_seed(seed)
    conv = cfg.module()
    try:
        B, b = conv_matrix(conv, cfg.input_shape)
    except TensorsightError:
        return
    kind = f"conv_transpose{cfg.nd}d" if cfg.transposed else f"conv{cfg.nd}d"
    extra = {"output_padding": cfg.output_padding} if cfg.transposed else {}
    B2, b2 = conv_matrix(kind, cfg.input_shape, weight=conv.weight, bias=conv.bias,
                         stride=cfg.stride, padding=cfg.padding, dilation=cfg.dilation,
                         groups=cfg.groups, padding_mode=cfg.mode, **extra)
    assert torch.equal(B.to_dense(), B2.to_dense())
    assert (b is None and b2 is None) or torch.equal(b, b2)
    B3, _ = conv_matrix(None, cfg.input_shape, weight=conv.weight, stride=cfg.stride,
                        padding=cfg.padding, dilation=cfg.dilation, groups=cfg.groups,
                        padding_mode=cfg.mode, transposed=cfg.transposed, **extra)
    assert torch.equal(B.to_dense(), B3.to_dense())


@settings(max_examples=25, deadline=None)
@given(cfg=configs(nd=2), seed=st.integers(0, 2 ** 16))
def test_matrix_is_the_jacobian(cfg, seed):
    """Entry by entry: the dense matrix equals torch.func.jacrev of the conv."""
    torch.manual_seed(seed)
    conv = cfg.module()
    try:
        D, _ = conv_matrix(conv, cfg.input_shape, layout="dense")
    except TensorsightError:
        return
    x = torch.randn(cfg.cin, *cfg.spatial, dtype=torch.float64)
    J = torch.func.jacrev(lambda v: conv(v.unsqueeze(0)).flatten())(x).reshape(D.shape)
    torch.testing.assert_close(D, J, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# the seed question's examples
# ------------------------------------------------------------------------------------------------

def test_seed_example_3x3_input_2x2_kernel():
    k = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    B, b = conv_matrix("conv2d", (1, 3, 3), weight=k.view(1, 1, 2, 2))
    assert b is None
    expected = torch.tensor([
        [1, 2, 0, 3, 4, 0, 0, 0, 0],
        [0, 1, 2, 0, 3, 4, 0, 0, 0],
        [0, 0, 0, 1, 2, 0, 3, 4, 0],
        [0, 0, 0, 0, 1, 2, 0, 3, 4],
    ], dtype=torch.float32)
    assert torch.equal(B.to_dense(), expected)


def test_seed_circular_padding_example():
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular")
    B, b = conv_matrix(conv, (2, 5, 5))
    assert B.shape == (75, 50)
    assert B._nnz() == 3 * 25 * 2 * 9          # no two taps on one pixel at 5x5
    x = torch.randn(4, 2, 5, 5)
    torch.testing.assert_close((B @ x.flatten(1).T).T + b, conv(x).flatten(1))


def test_taps_merging_onto_one_pixel_are_summed():
    # replicate padding 2 on a 1-pixel input: every tap of the 5-tap kernel reads pixel 0
    w = torch.arange(1.0, 6.0).view(1, 1, 5)
    conv = nn.Conv1d(1, 1, 5, padding=2, padding_mode="replicate", bias=False)
    with torch.no_grad():
        conv.weight.copy_(w)
    B, _ = conv_matrix(conv, (1, 1))
    assert B._nnz() == 1
    assert B.to_dense().item() == 15.0
    # circular padding larger than the kernel's footprint on a 2-pixel input
    conv = nn.Conv1d(1, 1, 5, padding=2, padding_mode="circular", bias=False)
    B, _ = conv_matrix(conv, (1, 2))
    x = torch.randn(1, 1, 2)
    torch.testing.assert_close(B @ x.flatten(), conv(x).flatten())


def _axis_count(n, k, s, d, p):
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    return sum(0 <= o * s + j * d - p < n for o in range(out) for j in range(k))


def test_big_64_to_64_conv_over_56x56_builds_sparse_with_analytic_nnz():
    torch.manual_seed(0)
    conv = nn.Conv2d(64, 64, 3, padding=1)
    B, b = conv_matrix(conv, (64, 56, 56))
    assert B.layout == torch.sparse_csr and B.shape == (64 * 56 * 56, 64 * 56 * 56)
    assert B._nnz() == 64 * 64 * _axis_count(56, 3, 1, 1, 1) ** 2 == 112_869_376
    x = torch.randn(1, 64, 56, 56)
    torch.testing.assert_close((B @ x.flatten(1).T).T + b, conv(x).flatten(1), rtol=1e-4,
                               atol=1e-4)


@pytest.mark.parametrize("groups,stride,padding,dilation", [
    (1, 1, 0, 1), (2, 2, 1, 1), (4, 1, 2, 2), (1, 3, 3, 1)])
def test_nnz_is_the_analytic_count_for_zero_padding(groups, stride, padding, dilation):
    conv = nn.Conv2d(8, 4, (3, 2), stride=stride, padding=padding, dilation=dilation, groups=groups)
    B, _ = conv_matrix(conv, (8, 9, 7))
    per_pair = (_axis_count(9, 3, stride, dilation, padding)
                * _axis_count(7, 2, stride, dilation, padding))
    assert B._nnz() == 4 * (8 // groups) * per_pair


def test_int32_indices():
    conv = nn.Conv2d(3, 5, 3, padding=1, padding_mode="reflect")
    B64, _ = conv_matrix(conv, (3, 6, 6))
    B32, _ = conv_matrix(conv, (3, 6, 6), index_dtype=torch.int32)
    assert B32.col_indices().dtype == torch.int32 and B32.crow_indices().dtype == torch.int32
    assert torch.equal(B64.to_dense(), B32.to_dense())
    x = torch.randn(3 * 36, 2)
    torch.testing.assert_close(B32 @ x, B64 @ x)


def test_coo_with_int32_indices_is_refused():
    with pytest.raises(TensorsightError, match="int64"):
        conv_matrix(nn.Conv1d(1, 1, 3), (1, 8), layout="coo", index_dtype=torch.int32)


def test_conv_to_linear_functional_form():
    torch.manual_seed(0)
    w = torch.randn(4, 1, 3, 3)
    lin = conv_to_linear("conv2d", (2, 6, 6), weight=w, groups=2, stride=2, padding="valid",
                         index_dtype=torch.int32)
    x = torch.randn(3, 2, 6, 6)
    torch.testing.assert_close(lin(x.flatten(1)), F.conv2d(x, w, stride=2, groups=2).flatten(1))
    assert lin.output_shape == (4, 2, 2) and lin.bias is None


def test_float32_module_and_unbatched_functional_padding_mode():
    torch.manual_seed(1)
    w = torch.randn(4, 2, 3, 3)
    B, _ = conv_matrix(None, (2, 6, 5), weight=w, padding=(1, 2), padding_mode="reflect")
    x = torch.randn(2, 6, 5)
    expected = F.conv2d(F.pad(x[None], (2, 2, 1, 1), mode="reflect"), w)
    torch.testing.assert_close(B @ x.flatten(), expected.flatten(), rtol=1e-5, atol=1e-5)
    assert B.dtype == torch.float32


def test_result_is_detached():
    conv = nn.Conv1d(2, 2, 3)
    B, b = conv_matrix(conv, (2, 8))
    assert not B.requires_grad and not b.requires_grad


# ------------------------------------------------------------------------------------------------
# conv_to_linear
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["dense", "sparse", "coo"])
@pytest.mark.parametrize("make,shape", [
    (lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1, padding_mode="replicate"), (3, 7, 6)),
    (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), (4, 3, 5)),
    (lambda: nn.Conv3d(2, 2, 2, padding="same", bias=False), (2, 3, 4, 3)),
    (lambda: nn.Conv1d(2, 4, 3, dilation=2, groups=2), (2, 9)),
])
def test_conv_to_linear_gives_the_convs_outputs_from_flattened_batches(layout, make, shape):
    torch.manual_seed(0)
    conv = make()
    lin = conv_to_linear(conv, shape, layout=layout)
    assert isinstance(lin, nn.Linear if layout == "dense" else SparseLinear)
    x = torch.randn(5, *shape)
    y = conv(x)
    assert lin.output_shape == tuple(y.shape[1:]) and lin.input_shape == shape
    torch.testing.assert_close(lin(x.flatten(1)), y.flatten(1), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(lin(x[0].flatten()), y[0].flatten(), rtol=1e-5, atol=1e-5)


def test_sparse_linear_state_dict_round_trip_and_bad_input(tmp_path):
    conv = nn.Conv2d(2, 3, 3, padding=1)
    lin = conv_to_linear(conv, (2, 4, 4))
    path = tmp_path / "lin.pt"
    torch.save(lin.state_dict(), path)
    lin2 = conv_to_linear(nn.Conv2d(2, 3, 2, padding=1), (2, 3, 3))   # another shape and nnz
    lin2.load_state_dict(torch.load(path))
    x = torch.randn(2, 32)
    torch.testing.assert_close(lin2(x), lin(x))
    assert (lin2.in_features, lin2.out_features) == (32, 48)
    assert "nnz=" in repr(lin)
    with pytest.raises(TensorsightError, match="flattened"):
        lin(torch.randn(2, 2, 4, 4))


def test_sparse_linear_backpropagates_to_the_input():
    conv = nn.Conv2d(2, 3, 3, padding=1)
    lin = conv_to_linear(conv, (2, 4, 4))
    x = torch.randn(2, 2, 4, 4, requires_grad=True)
    lin(x.flatten(1)).sum().backward()
    x2 = x.detach().clone().requires_grad_(True)
    conv(x2).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad)


# ------------------------------------------------------------------------------------------------
# errors: one clear sentence naming what was given and what is expected
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,words", [
    ((3, 32), ["Conv2d", "3-dim", "(C, H, W)", "(3, 32)"]),
    ((1, 2, 3, 32, 32), ["Conv2d", "(1, 2, 3, 32, 32)"]),
    ((4, 32, 32), ["expects 3 input channels", "(4, 32, 32)", "C = 3"]),
    ((3, 2, 32), ["too small", "(3, 2, 32)", "3x3"]),
    ((3, 0, 5), ["empty"]),
])
def test_bad_input_shapes_raise_tensorsight_error(shape, words):
    with pytest.raises(TensorsightError) as info:
        conv_matrix(nn.Conv2d(3, 8, 3), shape)
    msg = str(info.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg


@pytest.mark.parametrize("call,words", [
    (lambda: conv_matrix(nn.Conv2d(2, 2, 3, padding=3, padding_mode="reflect"), (2, 3, 3)),
     ["reflect padding 3", "input size 3"]),
    (lambda: conv_matrix(nn.Conv2d(2, 2, 3, padding=4, padding_mode="circular"), (2, 3, 3)),
     ["circular padding 4"]),
    (lambda: conv_matrix(nn.Conv2d(2, 2, 3), (2, 5, 5), stride=2), ["module's own options"]),
    (lambda: conv_matrix(nn.Conv2d(2, 2, 3), (2, 5, 5), layout="csc"), ["layout='csc'"]),
    (lambda: conv_matrix(nn.Linear(2, 2), (2, 5, 5)), ["Linear"]),
    (lambda: conv_matrix(None, (2, 5, 5)), ["weight="]),
    (lambda: conv_matrix("conv3d", (2, 5, 5), weight=torch.randn(2, 2, 3, 3)), ["5-dim weight"]),
    (lambda: conv_matrix("conv2d", (2, 5, 5), weight=torch.randn(2, 2, 3, 3), padding="same",
                         stride=2), ["stride 1"]),
    (lambda: conv_matrix("conv_transpose2d", (2, 5, 5), weight=torch.randn(2, 2, 3, 3),
                         padding="same"), ["transposed"]),
    (lambda: conv_matrix("conv_transpose1d", (2, 5), weight=torch.randn(2, 2, 3),
                         output_padding=1), ["output_padding"]),
    (lambda: conv_matrix(nn.ConvTranspose1d(2, 2, 3, padding=5), (2, 2)), ["too small"]),
])
def test_bad_options_raise_tensorsight_error(call, words):
    with pytest.raises(TensorsightError) as info:
        call()
    for w in words:
        assert w in str(info.value)


def test_input_shape_as_string_and_torch_size():
    conv = nn.Conv2d(3, 4, 3)
    B1, _ = conv_matrix(conv, "1x3x8x8")
    B2, _ = conv_matrix(conv, torch.Size([3, 8, 8]))
    assert torch.equal(B1.to_dense(), B2.to_dense())
