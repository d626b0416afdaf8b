"""The prox operators against their closed forms and their defining minimization."""
from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tensorsight import L1, L2, ElasticNet, GroupLasso, TensorsightError

floats = st.floats(-50, 50, allow_nan=False, width=32)
vec = st.lists(floats, min_size=1, max_size=12)
lam_s = st.floats(0, 20, allow_nan=False)
step_s = st.floats(1e-3, 5, allow_nan=False)


def soft(x, t):
    return math.copysign(max(abs(x) - t, 0.0), x)


@settings(max_examples=60, deadline=None)
@given(vec, lam_s, step_s)
def test_l1_prox_is_soft_threshold(xs, lam, step):
    w = torch.tensor(xs, dtype=torch.float64)
    out = L1(lam).prox(w, step)
    for o, x in zip(out.tolist(), xs):
        assert o == pytest.approx(soft(x, lam * step), abs=1e-9)
    assert not torch.signbit(out[out == 0]).any()  # exact +0.0, never -0.0


@settings(max_examples=60, deadline=None)
@given(vec, lam_s, step_s)
def test_l2_and_elastic_net_closed_forms(xs, lam, step):
    w = torch.tensor(xs, dtype=torch.float64)
    assert torch.allclose(L2(lam).prox(w, step), w / (1 + lam * step))
    r = 0.3
    expect = torch.tensor([soft(x, lam * r * step) / (1 + lam * (1 - r) * step) for x in xs],
                          dtype=torch.float64)
    assert torch.allclose(ElasticNet(lam, r).prox(w, step), expect)
    assert torch.allclose(ElasticNet(lam, 1.0).prox(w, step), L1(lam).prox(w, step))
    assert torch.allclose(ElasticNet(lam, 0.0).prox(w, step), L2(lam).prox(w, step))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), lam_s, step_s, st.integers(0, 1), st.data())
def test_group_lasso_prox_is_group_soft_threshold(rows, cols, lam, step, dim, data):
    xs = data.draw(st.lists(floats, min_size=rows * cols, max_size=rows * cols))
    w = torch.tensor(xs, dtype=torch.float64).reshape(rows, cols)
    out = GroupLasso(lam, dim=dim).prox(w, step)
    groups = w if dim == 0 else w.T
    outg = out if dim == 0 else out.T
    for g, o in zip(groups, outg):
        n = float(g.norm())
        expect = g * max(0.0, 1 - lam * step / n) if n > 0 else torch.zeros_like(g)
        assert torch.allclose(o, expect, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(vec, st.floats(0.01, 5), step_s, st.sampled_from(["l1", "l2", "en", "gl"]), st.data())
def test_prox_minimizes_its_objective(xs, lam, step, kind, data):
    """prox(w) is the argmin of R(u) + |u - w|^2 / (2 step): no nearby point does better."""
    pen = {"l1": L1(lam), "l2": L2(lam), "en": ElasticNet(lam, 0.5),
           "gl": GroupLasso(lam, dim=0)}[kind]
    w = torch.tensor(xs, dtype=torch.float64).reshape(1, -1)
    u = pen.prox(w, step)

    def objective(v):
        return float(pen.value(v) + ((v - w) ** 2).sum() / (2 * step))

    best = objective(u)
    for _ in range(5):
        d = torch.tensor(data.draw(st.lists(st.floats(-1, 1), min_size=w.numel(),
                                            max_size=w.numel())), dtype=torch.float64)
        assert objective(u + 1e-3 * d.reshape(1, -1)) >= best - 1e-9


def test_per_element_steps_are_per_element_thresholds():
    w = torch.tensor([1.0, 1.0, -1.0, 0.2])
    step = torch.tensor([0.5, 2.0, 0.5, 0.1])
    assert L1(1.0).prox(w, step).tolist() == [0.5, 0.0, -0.5, pytest.approx(0.1)]
    # group lasso with per-element steps: the group's mean step
    g = GroupLasso(1.0).prox(torch.tensor([[3.0, 4.0]]), torch.tensor([[1.0, 3.0]]))
    assert torch.allclose(g, torch.tensor([[3.0, 4.0]]) * (1 - 2.0 / 5.0))


def test_values_and_subgradients():
    w = torch.tensor([[3.0, -4.0], [0.0, 0.0]], requires_grad=True)
    wd = w.detach()
    assert float(L1(2).value(wd)) == 14.0
    assert float(L2(2).value(wd)) == 25.0          # lam/2 * sum w^2
    assert float(ElasticNet(2, 0.5).value(wd)) == pytest.approx(7.0 + 12.5)
    assert float(GroupLasso(2, dim=0).value(wd)) == 10.0
    assert float(GroupLasso(2, dim=1).value(wd)) == 14.0
    for pen in (L1(2), L2(2), ElasticNet(2, 0.25), GroupLasso(2), GroupLasso(2, dim=1)):
        (grad,) = torch.autograd.grad(pen.value(w), w)
        assert torch.allclose(grad, pen.subgradient(w.detach())), pen


@pytest.mark.parametrize("make", [lambda: L1(-1), lambda: L2("x"), lambda: L1(float("nan")),
                                  lambda: ElasticNet(1, 1.5), lambda: GroupLasso(1, dim=2)])
def test_bad_arguments(make):
    with pytest.raises(TensorsightError):
        make()


def test_labels():
    assert L1(1e-3).label() == "L1(0.001)"
    assert ElasticNet(0.1, 0.3).label() == "ElasticNet(0.1, l1_ratio=0.3)"
    assert GroupLasso(1, dim=1).label() == "GroupLasso(1, dim=1)"
