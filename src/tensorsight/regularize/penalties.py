"""The penalties: L1, L2, elastic net and group lasso, each with its value and its exact prox.

Every penalty ``R`` has

* ``value(w)``: the differentiable term to add to the loss (penalty mode), and
* ``prox(w, step)``: the closed-form proximal operator
  ``argmin_u  R(u) + sum_i (u_i - w_i)^2 / (2 step_i)``. ``step`` is a float or a tensor that
  broadcasts against ``w`` (one step per element: the diagonal metric of Adam-like optimizers).
  The separable penalties (L1, L2, elastic net) are exact for per-element steps too.
* ``subgradient(w)``: what autograd gives for ``value(w)`` (0 at w = 0 for the kinks), used by
  the diagnosis to take the penalty's share out of a gradient.

Conventions (the same as PyTorch's ``weight_decay`` and scikit-learn):

* ``L1(lam)``:            lam * sum |w|
* ``L2(lam)``:            lam / 2 * sum w^2           (gradient lam * w, like ``weight_decay=lam``)
* ``ElasticNet(lam, r)``: lam * (r * sum |w| + (1 - r) / 2 * sum w^2)
* ``GroupLasso(lam, dim)``: lam * sum_g ||w_g||_2, a group being all the weights that share one
  index along ``dim``: ``dim=0`` one output unit (a row of a Linear weight, one filter of a conv),
  ``dim=1`` one input feature / input channel. A zero group is a unit or channel you can prune.

Zeros produced by a prox are exact ``+0.0`` (never ``-0.0``, never 1e-9).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..errors import TensorsightError


def soft_threshold(w: torch.Tensor, t) -> torch.Tensor:
    """sign(w) * max(|w| - t, 0), with exact +0.0 where |w| <= t (t: float or tensor)."""
    a = w.abs()
    return torch.where(a > t, w - torch.sign(w) * t, torch.zeros_like(w))


def _check_lam(name: str, lam) -> float:
    try:
        lam = float(lam)
    except (TypeError, ValueError):
        raise TensorsightError(f"{name}(lam) needs a number, got {lam!r}.") from None
    if not lam >= 0:  # also rejects nan
        raise TensorsightError(f"{name}(lam={lam}) needs lam >= 0 (0 switches the penalty off).")
    return lam


@dataclass(frozen=True)
class Penalty:
    """Base class; ``lam`` is the strength. Subclasses implement value/prox/subgradient."""

    lam: float

    def __post_init__(self):
        object.__setattr__(self, "lam", _check_lam(type(self).__name__, self.lam))

    # the coefficient of the |w| term (what makes weights jump across zero), None if none
    @property
    def l1_lam(self) -> float | None:
        return None

    def check(self, name: str, w: torch.Tensor) -> None:
        """Raise TensorsightError when this penalty cannot apply to the parameter ``name``."""

    def value(self, w: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def prox(self, w: torch.Tensor, step) -> torch.Tensor:
        raise NotImplementedError

    def subgradient(self, w: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def label(self) -> str:
        return f"{type(self).__name__}({self.lam:g})"


@dataclass(frozen=True)
class L1(Penalty):
    """lam * sum|w|. Prox: soft-thresholding by lam * step; gives exact zeros (lasso)."""

    @property
    def l1_lam(self) -> float:
        return self.lam

    def value(self, w):
        return self.lam * w.abs().sum()

    def prox(self, w, step):
        return soft_threshold(w, self.lam * step)

    def subgradient(self, w):
        return self.lam * torch.sign(w)


@dataclass(frozen=True)
class L2(Penalty):
    """lam/2 * sum w^2 (gradient lam*w, PyTorch's weight_decay). Prox: w / (1 + lam * step)."""

    def value(self, w):
        return 0.5 * self.lam * w.pow(2).sum()

    def prox(self, w, step):
        return w / (1.0 + self.lam * step)

    def subgradient(self, w):
        return self.lam * w


@dataclass(frozen=True)
class ElasticNet(Penalty):
    """lam * (l1_ratio * sum|w| + (1 - l1_ratio)/2 * sum w^2), scikit-learn's convention.

    Prox: soft-threshold by lam*l1_ratio*step, then shrink by 1 / (1 + lam*(1-l1_ratio)*step).
    """

    l1_ratio: float = 0.5

    def __post_init__(self):
        super().__post_init__()
        r = float(self.l1_ratio)
        if not 0.0 <= r <= 1.0:
            raise TensorsightError(
                f"ElasticNet(l1_ratio={r}) needs 0 <= l1_ratio <= 1 (1 is L1, 0 is L2).")
        object.__setattr__(self, "l1_ratio", r)

    @property
    def l1_lam(self) -> float | None:
        return self.lam * self.l1_ratio if self.l1_ratio > 0 else None

    def value(self, w):
        r = self.l1_ratio
        return self.lam * (r * w.abs().sum() + 0.5 * (1.0 - r) * w.pow(2).sum())

    def prox(self, w, step):
        r = self.l1_ratio
        return soft_threshold(w, self.lam * r * step) / (1.0 + self.lam * (1.0 - r) * step)

    def subgradient(self, w):
        r = self.l1_ratio
        return self.lam * (r * torch.sign(w) + (1.0 - r) * w)

    def label(self) -> str:
        return f"ElasticNet({self.lam:g}, l1_ratio={self.l1_ratio:g})"


@dataclass(frozen=True)
class GroupLasso(Penalty):
    """lam * sum_g ||w_g||_2 over the slices along ``dim`` (0: per output unit, 1: per input
    channel). Prox: group soft-threshold ``w_g * max(0, 1 - lam*step/||w_g||)``: whole units or
    channels become exactly zero.

    With a per-element step (Adam) the group prox has no closed form; each group then uses the
    mean of its elements' steps (an isotropic step inside the group). Zeros stay exact.
    """

    dim: int = 0

    def __post_init__(self):
        super().__post_init__()
        if self.dim not in (0, 1):
            raise TensorsightError(
                f"GroupLasso(dim={self.dim!r}) needs dim=0 (per output unit) or dim=1 "
                f"(per input channel).")

    def check(self, name, w):
        if w.dim() <= self.dim:
            raise TensorsightError(
                f"GroupLasso(dim={self.dim}) on {name!r} needs a parameter with more than "
                f"{self.dim} dimension(s), but its shape is {tuple(w.shape)}.")

    def _other_dims(self, w):
        return [d for d in range(w.dim()) if d != self.dim]

    def group_norms(self, w: torch.Tensor) -> torch.Tensor:
        """||w_g||_2 for each group, kept broadcastable against w."""
        dims = self._other_dims(w)
        if not dims:
            return w.abs()
        return torch.linalg.vector_norm(w, dim=dims, keepdim=True)

    def value(self, w):
        return self.lam * self.group_norms(w).sum()

    def prox(self, w, step):
        norms = self.group_norms(w)
        if torch.is_tensor(step) and step.dim() > 0 and self._other_dims(w):
            step = step.expand_as(w).mean(dim=self._other_dims(w), keepdim=True)
        t = self.lam * step
        safe = torch.where(norms > 0, norms, torch.ones_like(norms))
        scale = torch.where(norms > t, 1.0 - t / safe, torch.zeros_like(norms))
        return torch.where(scale > 0, w * scale, torch.zeros_like(w))

    def subgradient(self, w):
        norms = self.group_norms(w)
        safe = torch.where(norms > 0, norms, torch.ones_like(norms))
        return self.lam * w / safe

    def label(self) -> str:
        return f"GroupLasso({self.lam:g}, dim={self.dim})"
