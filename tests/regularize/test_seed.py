"""The seed question end to end: least squares, the oscillating L1, the prox, the lasso path."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
import torch
from regularize_seed import TRUE, lasso, make, seed_data, train
from torch.optim.optimizer import register_optimizer_step_post_hook

import tensorsight
from tensorsight import L1
from tensorsight.regularize import L1Watch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEYS = {"severity", "category", "file", "line", "message", "fixes"}


def test_lam_zero_recovers_the_coefficients():
    model, opt = make()
    w = train(model, opt, epochs=40)[-1]
    assert torch.allclose(w, torch.tensor(TRUE), atol=0.05), w


def test_lam_1000_by_hand_oscillates_and_l1watch_says_why():
    model, opt = make()
    watch = L1Watch(model)
    w = train(model, opt, epochs=5, lam=1000.0, after_step=watch.after_step)
    # the question: the weights got bigger, not smaller, and never zero
    assert w[-1].abs().median() > 10 * w[0].abs().median()
    assert w[-1].norm() > 10 * w[0].norm()
    assert (torch.stack(w) != 0).all()
    found = watch.findings()
    assert len(found) == 1  # one parameter, reported once
    f = found[0]
    assert set(f) == KEYS and f["severity"] == "warning" and f["category"] == "regularization"
    msg = f["message"]
    assert "'mlp.0.weight'" in msg and "λ ≈ 1000" in msg
    assert "lr·λ = 0.02·1000 = 20 per step" in msg and "momentum 0.82" in msg
    assert "proximal" in msg and "reduction='mean'" in msg
    assert Path(f["file"]).name == "regularize_seed.py"  # the hand-written penalty's line
    assert "torch.norm" in Path(f["file"]).read_text().splitlines()[f["line"] - 1]


@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_l1watch_is_quiet_when_the_penalty_is_fine(lam):
    model, opt = make()
    watch = L1Watch(model)
    train(model, opt, epochs=5, lam=lam, after_step=watch.after_step)
    assert watch.findings() == []


def test_the_seed_example_under_a_global_hook(monkeypatch, capsys):
    """What `tensorsight run examples/l1_seed.py 1000` wires: one global post hook."""
    watch = L1Watch()
    handle = register_optimizer_step_post_hook(watch)
    monkeypatch.setattr(sys, "argv", ["l1_seed.py", "1000"])
    try:
        runpy.run_path(str(EXAMPLES / "l1_seed.py"), run_name="__main__")
    finally:
        handle.remove()
    (f,) = watch.findings()
    assert Path(f["file"]).resolve() == (EXAMPLES / "l1_seed.py").resolve()
    line = (EXAMPLES / "l1_seed.py").read_text().splitlines()[f["line"] - 1]
    assert "lam * torch.norm(param, 1)" in line
    assert "'mlp.0.weight'" in f["message"]  # named through the live model
    assert "weights:" in capsys.readouterr().out


def test_penalty_mode_flags_the_oscillation_at_the_penalty_call():
    model, opt = make()
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(1000)}, mode="penalty")
    train(model, opt, epochs=5, reg=reg)
    hist = reg.history["mlp.0.weight"]
    assert hist[-1].norm > 10 * hist[0].norm and hist[-1].sparsity == 0
    (f,) = reg.findings()
    assert "λ = 1000" in f["message"] and "= 20 per step" in f["message"]
    assert Path(f["file"]).name == "regularize_seed.py"
    assert "reg.penalty()" in Path(f["file"]).read_text().splitlines()[f["line"] - 1]
    assert reg.findings() == [f]  # at most once


def test_proximal_large_lam_shrinks_monotonically_to_exact_zero():
    model, opt = make()
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(1000)})
    ws = torch.stack(train(model, opt, epochs=2, reg=reg))
    assert (ws[1:].abs() <= ws[:-1].abs()).all()
    assert (ws[-1] == 0).all() and not torch.signbit(ws[-1]).any()  # +0.0 exactly
    assert reg.history["mlp.0.weight"][-1].sparsity == 1.0
    assert reg.findings() == []


def test_proximal_from_the_fitted_weights_shrinks_step_by_step():
    model, opt = make()
    with torch.no_grad():
        model.mlp[0].weight.copy_(torch.tensor([TRUE]))
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(50)})
    ws = torch.stack(train(model, opt, epochs=1, reg=reg))
    assert (ws[1:].abs() <= ws[:-1].abs()).all()
    assert (ws[-1] == 0).all()
    zero_at = [int((ws[:, i] == 0).nonzero()[0]) for i in range(5)]
    assert zero_at[4] == min(zero_at) and zero_at[1] > 1  # takes several steps, smallest first


def test_moderate_lam_zeroes_the_smallest_coefficient_first():
    model, opt = make()
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(0.1)})
    ws = torch.stack(train(model, opt, epochs=40, reg=reg))
    zeros = ws == 0
    first = int(zeros.any(dim=1).nonzero()[0])
    assert zeros[first].nonzero().reshape(-1).tolist() == [4]  # -0.25 goes first
    assert ws[-1, 4] == 0 and (ws[-1, :4] != 0).all()
    # the fixed point is the lasso solution for the same lambda (prox step lr/(1-momentum))
    assert torch.allclose(ws[-1].double(), lasso(0.1), atol=0.05)


def test_lasso_path_order():
    zero_first = []
    for lam in (0.05, 0.5, 3.0):
        model, opt = make()
        reg = tensorsight.regularize(model, {"mlp.0.weight": L1(lam)})
        w = train(model, opt, epochs=20, reg=reg)[-1]
        zero_first += [i for i in (w == 0).nonzero().reshape(-1).tolist() if i not in zero_first]
    assert zero_first[0] == 4


def test_momentum_step_lr_solves_a_weaker_lasso():
    """With momentum_step='lr' the prox acts like lam * (1 - momentum): the documented reason
    for the default lr / (1 - momentum)."""
    model, opt = make()
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(0.1)}, momentum_step="lr")
    w = train(model, opt, epochs=40, reg=reg)[-1]
    assert torch.allclose(w.double(), lasso(0.1 * (1 - 0.82)), atol=0.05)
    assert w[4] != 0


def test_l1watch_stops_after_max_steps_and_names_unknown_params():
    model, opt = make()
    watch = L1Watch(max_steps=2)  # too few steps to see the pattern
    train(model, opt, epochs=1, lam=1000.0, after_step=watch.after_step)
    assert watch.findings() == []
    model, opt = make()
    watch = L1Watch()
    train(model, opt, epochs=1, lam=1000.0, after_step=watch)  # the hook protocol
    (f,) = watch.findings()
    assert "'mlp.0.weight'" in f["message"]  # found through the live model


def test_other_penalties_in_penalty_mode_are_explained():
    from tensorsight import L2, ElasticNet, GroupLasso
    cases = {GroupLasso(1000): "group-lasso step lr·λ = 0.02·1000 = 20 per step",
             L2(120): "lr·c = 0.02·120 = 2.4 > 1",
             ElasticNet(1000, 0.5): "c = 500 (an L2 term dominates)",
             ElasticNet(1000, 0.99): "the L1 part of ElasticNet(1000, l1_ratio=0.99), λ = 990"}
    for pen, text in cases.items():
        model, opt = make()
        reg = tensorsight.regularize(model, {"mlp.0.weight": pen}, mode="penalty")
        train(model, opt, epochs=2, reg=reg)
        (f,) = reg.findings()
        assert text in f["message"], (pen, f["message"])
        assert pen.label() in f["message"]  # the proximal fix names the same penalty


def test_l1watch_recognizes_a_hand_written_l2_term():
    model, opt = make()
    watch = L1Watch(model)
    x, y = seed_data()
    for _ in range(10):
        opt.zero_grad()
        w = model.mlp[0].weight
        loss = ((model(x[:100]) - y[:100]) ** 2).mean() + 60 * w.pow(2).sum()
        loss.backward()
        opt.step()
        watch.after_step(opt)
    (f,) = watch.findings()
    assert "an L2 term dominates" in f["message"] and "c ≈ 1" in f["message"]
    assert Path(f["file"]).name == "test_seed.py"
    assert "w.pow(2).sum()" in Path(f["file"]).read_text().splitlines()[f["line"] - 1]
