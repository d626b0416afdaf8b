"""Property: the formula's final number is the size torch really produces (conv, pool, transpose)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tensorsight.analysis.explain import explain_shape, handler_for
from tensorsight.capture.recorder import Recorder

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def final(formula: str) -> int:
    return int(formula.rsplit("=", 1)[1].strip().replace("−", "-"))


def record(fn, *tensors):
    with Recorder() as rec:
        fn(*tensors)
    assert len(rec.trace) == 1, [e.op for e in rec.trace]
    return rec.trace[0]


def strict(e):
    """The handler called directly (a bug raises instead of being swallowed), checked as shown."""
    ex = handler_for(e)(e, None)
    assert explain_shape(e) == ex
    return ex


def check(e, nd):
    ex = strict(e)
    assert ex is not None, (e.op, e.args, e.kwargs)
    spatial = [d for d in ex.dims if d.label in ("D", "H", "W", "L")]
    assert len(spatial) == nd
    real = e.outputs[0].shape
    for d in spatial:
        assert final(d.formula) == real[d.axis] == d.size, (d, real)
    assert real[1] == next(d.size for d in ex.dims if d.label == "C")


sizes = st.integers(1, 40)


@SETTINGS
@given(L=st.tuples(sizes, sizes), k=st.tuples(st.integers(1, 6), st.integers(1, 6)),
       s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3), same=st.booleans())
def test_conv2d_formula_matches_torch(L, k, s, p, d, same):
    x = torch.empty(1, 2, *L, device="meta")
    w = torch.empty(3, 2, *k, device="meta")
    if same:
        s = 1
    padding = "same" if same else p
    try:
        F.conv2d(x, w, stride=s, padding=padding, dilation=d)
    except RuntimeError:
        assume(False)
    check(record(lambda a, b: F.conv2d(a, b, None, s, padding, d), x, w), 2)


@SETTINGS
@given(L=st.integers(1, 50), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3))
def test_conv1d_formula_matches_torch(L, k, s, p, d):
    x = torch.empty(2, 3, L, device="meta")
    w = torch.empty(4, 3, k, device="meta")
    try:
        F.conv1d(x, w, stride=s, padding=p, dilation=d)
    except RuntimeError:
        assume(False)
    check(record(lambda a, b: F.conv1d(a, b, stride=s, padding=p, dilation=d), x, w), 1)


@SETTINGS
@given(L=st.tuples(sizes, sizes), k=st.integers(1, 5), s=st.one_of(st.none(), st.integers(1, 4)),
       p=st.integers(0, 2), d=st.integers(1, 3), ceil=st.booleans(), kind=st.sampled_from(["max", "avg"]))
def test_pool2d_formula_matches_torch(L, k, s, p, d, ceil, kind):
    x = torch.empty(1, 2, *L, device="meta")
    if kind == "max":
        fn = lambda a: F.max_pool2d(a, k, s, p, d, ceil_mode=ceil)  # noqa: E731
    else:
        fn = lambda a: F.avg_pool2d(a, k, s, p, ceil_mode=ceil)  # noqa: E731
    try:
        out = fn(x)
    except RuntimeError:
        assume(False)
    assume(min(out.shape) > 0)
    check(record(fn, x), 2)


@SETTINGS
@given(L=st.tuples(st.integers(1, 12), st.integers(1, 12)), k=st.integers(1, 5), s=st.integers(1, 3),
       p=st.integers(0, 2), op=st.integers(0, 2), d=st.integers(1, 2))
def test_conv_transpose2d_formula_matches_torch(L, k, s, p, op, d):
    assume(op < max(s, d))
    x = torch.empty(1, 2, *L, device="meta")
    w = torch.empty(2, 3, k, k, device="meta")
    fn = lambda a, b: F.conv_transpose2d(a, b, None, s, p, op, 1, d)  # noqa: E731
    try:
        fn(x, w)
    except RuntimeError:
        assume(False)
    check(record(fn, x, w), 2)


@SETTINGS
@given(L=st.integers(1, 30), f=st.floats(0.3, 4.0, allow_nan=False).map(lambda v: round(v, 2)))
def test_interpolate_floor_matches_torch(L, f):
    x = torch.empty(1, 1, L, device="meta")
    fn = lambda a: F.interpolate(a, scale_factor=f)  # noqa: E731
    try:
        out = fn(x)
    except RuntimeError:
        assume(False)
    assume(out.shape[-1] > 0)
    e = record(fn, x)
    ex = strict(e)
    assert ex is not None
    assert final(ex.dims[-1].formula) == e.outputs[0].shape[-1]


@SETTINGS
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=4), data=st.data())
def test_view_explanations_fit(shape, data):
    """Any reshape of a random tensor to a permutation of its factors (one maybe -1) is explained."""
    target = data.draw(st.permutations(shape))
    if len(target) > 1 and data.draw(st.booleans()):
        target = list(target)
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    x = torch.empty(*shape, device="meta")
    e = record(lambda a: a.reshape(*target), x)
    ex = strict(e)
    assert ex is not None
    for d in ex.dims:
        assert d.size == e.outputs[0].shape[d.axis]
        if d.formula.startswith("-1 = "):
            assert final(d.formula) == d.size
