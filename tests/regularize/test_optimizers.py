"""The prox with each optimizer's own step: SGD, Adam/AdamW (diagonal metric), others."""
from __future__ import annotations

import warnings

import pytest
import torch
from regularize_seed import lasso, make, train
from torch import nn

import tensorsight
from tensorsight import L1, GroupLasso
from tensorsight.regularize.steps import param_step


@pytest.mark.parametrize("opt", ["adam", "adamw"])
def test_adam_prox_gives_exact_zeros(opt):
    model, optimizer = make(opt=opt, lr=0.1)
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(1000)})
    ws = train(model, optimizer, epochs=1, reg=reg)
    assert (ws[-1] == 0).all()


def test_adam_prox_lands_near_the_lasso_solution():
    model, optimizer = make(opt="adam", lr=0.1)
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(0.1)})
    w = train(model, optimizer, epochs=60, reg=reg)[-1]
    assert w[4] == 0 and (w[:4] != 0).all()
    assert torch.allclose(w.double(), lasso(0.1), atol=0.1)


def test_adam_step_is_lr_over_sqrt_vhat():
    p = nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    opt = torch.optim.Adam([p], lr=0.1, betas=(0.9, 0.99), eps=1e-8)
    for g in ([1.0, 2.0, 0.5], [0.5, -1.0, 4.0]):
        p.grad = torch.tensor(g)
        opt.step()
    v_hat = opt.state[p]["exp_avg_sq"] / (1 - 0.99 ** 2)
    expect = 0.1 / (v_hat.sqrt() + 1e-8)
    assert torch.allclose(param_step(opt, opt.param_groups[0], p), expect)


def test_sgd_steps():
    p = nn.Parameter(torch.ones(2))
    for kw, expect in (({}, 0.1), ({"momentum": 0.9}, 1.0),
                       ({"momentum": 0.5, "dampening": 0.5}, 0.1),
                       ({"momentum": 0.9, "nesterov": True}, 1.0)):
        opt = torch.optim.SGD([p], lr=0.1, **kw)
        assert param_step(opt, opt.param_groups[0], p) == pytest.approx(expect)
        assert param_step(opt, opt.param_groups[0], p, "lr") == pytest.approx(0.1)


@pytest.mark.parametrize("cls", [torch.optim.RMSprop, torch.optim.Adagrad, torch.optim.NAdam])
def test_other_optimizers_still_give_exact_zeros(cls):
    p = nn.Parameter(torch.tensor([[0.3, -0.2, 5.0]]))
    model = nn.Module()
    model.w = p
    opt = cls([p], lr=0.01)
    reg = tensorsight.regularize(model, {"w": L1(3.0)})
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        for _ in range(30):
            opt.zero_grad()
            (p * torch.tensor([[0.1, 0.1, 0.1]])).sum().backward()
            opt.step()
            reg.step(opt)
    assert p[0, 0] == 0 and p[0, 1] == 0


def test_group_lasso_removes_whole_units_with_attach():
    torch.manual_seed(0)
    layer = nn.Linear(4, 6)
    model = nn.Sequential(layer)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    reg = tensorsight.regularize(model, {"0.weight": GroupLasso(0.5, dim=0)})
    reg.attach(opt)
    x = torch.randn(64, 4)
    y = x[:, :1] * 3  # only one output unit is needed
    for _ in range(100):
        opt.zero_grad()
        ((model(x)[:, :1] - y) ** 2).mean().backward()
        opt.step()
    rows = (layer.weight == 0).all(dim=1)
    assert rows[1:].all() and not rows[0]  # the unused units are exactly zero, whole rows
    assert reg.history["0.weight"][-1].zero_groups == pytest.approx(5 / 6)
    with pytest.raises(tensorsight.TensorsightError, match="attached"):
        reg.step(opt)
    reg.detach()
    reg.step(opt)  # fine once detached
