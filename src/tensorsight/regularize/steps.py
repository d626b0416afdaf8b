"""The step an optimizer actually took for each parameter: what the prox must use.

A proximal step after ``optimizer.step()`` solves ``argmin_u R(u) + sum (u_i - w_i)^2/(2 t_i)``,
where ``t`` is the step the optimizer applied to the smooth loss. That step is

* SGD without momentum: ``lr``.
* SGD with momentum ``mu`` (and dampening ``d``, Nesterov or not): by default
  ``lr * (1 - d) / (1 - mu)``. Justification: the heavy-ball buffer of a steady gradient ``g``
  grows to ``(1 - d) g / (1 - mu)``, so the loss moves the weights by that effective step. With
  the prox at the same step, the fixed points of "momentum step, then prox" are exactly the
  minimizers of ``loss + R`` (for a zero weight: ``|g| <= lam``). With the plain ``lr`` (the common
  proximal-SGD heuristic, ``momentum_step="lr"``) they are the minimizers of
  ``loss + (1 - mu) R``: for mu = 0.82 the penalty would act 5.6 times weaker than the same
  ``lam`` in penalty mode.
* Adam / AdamW: per element ``lr / (sqrt(v_hat_i) + eps)``, with ``v_hat`` the bias-corrected
  ``exp_avg_sq`` (``max_exp_avg_sq`` with amsgrad). Adam's update is ``t_i * m_hat_i``, a
  preconditioned step in the diagonal metric ``diag(1/t)``; the prox in that metric is separable
  with threshold ``lam * t_i``. A zero weight then stays zero while ``|m_hat_i| <= lam``: ``lam``
  compares with the averaged gradient, as in the lasso. AdamW's decoupled weight decay is left as
  it is (it is applied inside ``optimizer.step()``).
* RMSprop: ``lr / (sqrt(square_avg) + eps)`` (centered: of the variance), over ``1 - momentum``.
* Adagrad: ``lr / (1 + (step - 1) lr_decay) / (sqrt(sum) + eps)``.
* any other optimizer: ``lr`` (a RuntimeWarning says so once).

Before the optimizer's first step (no state yet) the step is ``lr``.
"""
from __future__ import annotations

import warnings

import torch

from ..errors import TensorsightError

MOMENTUM_STEPS = ("effective", "lr")
_warned: set[str] = set()


def _f(x) -> float:
    return float(x.item()) if torch.is_tensor(x) else float(x)


def sgd_factor(group: dict, momentum_step: str = "effective") -> float:
    """How much larger than lr the effective SGD step is (1 without momentum)."""
    mu = _f(group.get("momentum", 0.0) or 0.0)
    if momentum_step == "lr" or mu <= 0.0 or mu >= 1.0:
        return 1.0
    d = _f(group.get("dampening", 0.0) or 0.0)
    return (1.0 - d) / (1.0 - mu)


def param_step(optimizer: torch.optim.Optimizer, group: dict, p: torch.Tensor,
               momentum_step: str = "effective"):
    """The step ``t`` for parameter ``p`` of ``group``: a float, or a tensor shaped like p."""
    if momentum_step not in MOMENTUM_STEPS:
        raise TensorsightError(
            f"momentum_step={momentum_step!r} must be 'effective' (lr/(1-momentum)) or 'lr'.")
    lr = _f(group["lr"])
    state = optimizer.state.get(p, {})
    if isinstance(optimizer, torch.optim.SGD):
        return lr * sgd_factor(group, momentum_step)
    if isinstance(optimizer, torch.optim.Adam):  # AdamW subclasses Adam
        if "exp_avg_sq" not in state:
            return lr
        v = state["max_exp_avg_sq"] if group.get("amsgrad") else state["exp_avg_sq"]
        t = _f(state["step"])
        beta2 = _f(group["betas"][1])
        bc2 = 1.0 - beta2 ** t if t > 0 else 1.0
        return lr / ((v / bc2).sqrt() + _f(group["eps"]))
    if isinstance(optimizer, torch.optim.RMSprop):
        if "square_avg" not in state:
            return lr
        v = state["square_avg"]
        if group.get("centered") and "grad_avg" in state:
            v = v - state["grad_avg"] ** 2
        step = lr / (v.clamp(min=0).sqrt() + _f(group["eps"]))
        mu = _f(group.get("momentum", 0.0) or 0.0)
        if momentum_step == "effective" and 0.0 < mu < 1.0:
            step = step / (1.0 - mu)
        return step
    if isinstance(optimizer, torch.optim.Adagrad):
        if "sum" not in state:
            return lr
        t = _f(state["step"])
        clr = lr / (1.0 + max(t - 1.0, 0.0) * _f(group.get("lr_decay", 0.0)))
        return clr / (state["sum"].sqrt() + _f(group["eps"]))
    name = type(optimizer).__name__
    if name not in _warned:
        _warned.add(name)
        warnings.warn(f"tensorsight.regularize: no step rule for {name}; the prox uses its lr.",
                      RuntimeWarning, stacklevel=3)
    return lr


def momentum_of(group: dict) -> float:
    """The heavy-ball momentum of a param group (0 for Adam-like optimizers)."""
    return _f(group.get("momentum", 0.0) or 0.0)


def groups_by_param(optimizer: torch.optim.Optimizer) -> dict[int, dict]:
    """id(param) -> its param group."""
    return {id(p): g for g in optimizer.param_groups for p in g["params"]}
