"""``regularize(model, {key: penalty}, mode=...)``: the object that applies and records penalties.

Penalty mode (what users write by hand today)::

    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(0.1)}, mode="penalty")
    loss = criterion(model(x), y) + reg.penalty()
    loss.backward(); optimizer.step()
    reg.step(optimizer)          # records the history (no update in penalty mode)

Proximal mode (exact zeros, monotone shrinkage)::

    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(0.1)})   # mode="proximal"
    loss = criterion(model(x), y)                                     # no penalty in the loss
    loss.backward(); optimizer.step()
    reg.step(optimizer)          # prox with the optimizer's own step, then records

or ``reg.attach(optimizer)`` once, which calls ``reg.step`` after every ``optimizer.step()``.
"""
from __future__ import annotations

import weakref

import torch
from torch import nn

from ..errors import TensorsightError
from . import diagnose as _diagnose
from .history import Record, measure
from .select import Target, resolve
from .steps import groups_by_param, momentum_of, param_step

MODES = ("proximal", "penalty")
_LIVE: "weakref.WeakSet[Regularizer]" = weakref.WeakSet()


def live_regularizers() -> list["Regularizer"]:
    """The Regularizer objects alive in this process (L1Watch uses their exact lambda)."""
    return list(_LIVE)


class Regularizer:
    """Penalties attached to chosen parameters of a model; see ``regularize``."""

    def __init__(self, targets: list[Target], mode: str = "proximal",
                 momentum_step: str = "effective", record_every: int = 1):
        if mode not in MODES:
            raise TensorsightError(
                f"mode={mode!r} must be 'proximal' (a prox step after optimizer.step()) or "
                f"'penalty' (a term added to the loss).")
        self.targets = targets
        self.mode = mode
        self.momentum_step = momentum_step
        if int(record_every) < 1:
            raise TensorsightError(f"record_every={record_every!r} must be a positive integer.")
        self.record_every = int(record_every)
        self.steps = 0
        self._prev_step = -1
        self.history: dict[str, list[Record]] = {t.name: [] for t in targets}
        self.penalty_site: tuple[str, int] | None = None
        self.step_site: tuple[str, int] | None = None
        self._prev: dict[str, torch.Tensor] = {}
        self._hook = None
        self._in_hook = False
        self._findings: list[dict] = []
        self._reported: set[str] = set()
        self.record()
        _LIVE.add(self)

    # -- selection -------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [t.name for t in self.targets]

    def __repr__(self) -> str:
        sel = ", ".join(f"{t.name}: {t.penalty.label()}" for t in self.targets)
        return f"Regularizer(mode={self.mode!r}, {{{sel}}})"

    # -- penalty mode ----------------------------------------------------------------------
    def penalty(self) -> torch.Tensor:
        """The sum of the penalties, a differentiable scalar to add to the loss (penalty mode)."""
        if self.mode != "penalty":
            raise TensorsightError(
                "This regularizer is in proximal mode: reg.step(optimizer) applies the penalty, "
                "so adding reg.penalty() to the loss would apply it twice; use reg.value() to "
                "log it, or regularize(..., mode='penalty').")
        if self.penalty_site is None:
            self.penalty_site = _diagnose.user_site()
        return self._total()

    def value(self) -> float:
        """The penalties' current value (for logging the full objective), in either mode."""
        with torch.no_grad():
            return float(self._total())

    def _total(self) -> torch.Tensor:
        total = None
        for t in self.targets:
            v = t.penalty.value(t.param)
            total = v if total is None else total + v
        return total if total is not None else torch.zeros(())

    # -- after optimizer.step() -----------------------------------------------------------
    def step(self, optimizer: torch.optim.Optimizer) -> None:
        """Call right after ``optimizer.step()``: the prox (proximal mode), then a record."""
        _check_optimizer("reg.step(optimizer)", optimizer)
        if self._hook is not None and not self._in_hook:
            raise TensorsightError(
                "This regularizer is attached to the optimizer (reg.attach) and already steps "
                "after every optimizer.step(); remove the reg.step(optimizer) call.")
        if self.step_site is None and not self._in_hook:
            self.step_site = _diagnose.user_site()
        groups = groups_by_param(optimizer)
        missing = [t.name for t in self.targets if id(t.param) not in groups]
        if missing:
            raise TensorsightError(
                f"The optimizer does not update {', '.join(map(repr, missing))}; build it from "
                f"model.parameters() (or include these) before calling reg.step(optimizer).")
        if self.mode == "proximal":
            with torch.no_grad():
                for t in self.targets:
                    step = param_step(optimizer, groups[id(t.param)], t.param, self.momentum_step)
                    t.param.copy_(t.penalty.prox(t.param, step))
        self.steps += 1
        if self.steps % self.record_every == 0:
            self.record(optimizer)

    def attach(self, optimizer: torch.optim.Optimizer):
        """Run ``step(optimizer)`` after every ``optimizer.step()``; returns the hook handle."""
        _check_optimizer("reg.attach(optimizer)", optimizer)
        if self._hook is not None:
            raise TensorsightError("This regularizer is already attached to an optimizer.")

        def hook(opt, args, kwargs):
            self._in_hook = True
            try:
                self.step(opt)
            finally:
                self._in_hook = False

        self.step_site = _diagnose.user_site()
        self._hook = optimizer.register_step_post_hook(hook)
        return self._hook

    def detach(self) -> None:
        """Undo ``attach``."""
        if self._hook is not None:
            self._hook.remove()
            self._hook = None

    def record(self, optimizer: torch.optim.Optimizer | None = None) -> None:
        """Append one Record per parameter (``step`` calls this; call it yourself to record
        without stepping). With the optimizer, also the step size and the loss's gradient."""
        if optimizer is not None:
            _check_optimizer("reg.record(optimizer)", optimizer)
        groups = groups_by_param(optimizer) if optimizer is not None else {}
        with torch.no_grad():
            for t in self.targets:
                prev = self._prev.get(t.name)
                rec = measure(self.steps, t.param, prev, t.penalty)
                group = groups.get(id(t.param))
                if group is not None:
                    step = param_step(optimizer, group, t.param, "lr")
                    rec.step_size = float(step.median()) if torch.is_tensor(step) else step
                    rec.lr = float(group["lr"])
                    rec.momentum = momentum_of(group)
                    g = t.param.grad
                    if g is not None:
                        if self.mode == "penalty":  # take the penalty's share out
                            g = (g - t.penalty.subgradient(prev)
                                 if prev is not None and self._prev_step == self.steps - 1
                                 else None)
                        if g is not None:
                            rec.loss_grad_max = float(g.abs().max()) if g.numel() else 0.0
                self.history[t.name].append(rec)
                self._prev[t.name] = t.param.detach().clone()
        self._prev_step = self.steps

    # -- diagnosis and report -------------------------------------------------------------
    def diagnose(self) -> list[dict]:
        """New findings (JSON-ready dicts) about the history so far; each at most once."""
        new = []
        for t in self.targets:
            if t.name in self._reported:
                continue
            finding = _diagnose.check_history(self, t)
            if finding is not None:
                self._reported.add(t.name)
                new.append(finding)
        self._findings.extend(new)
        return new

    def findings(self) -> list[dict]:
        """All findings so far (runs the diagnosis on the history first)."""
        self.diagnose()
        return list(self._findings)

    def report(self, title: str | None = None):
        """A rich Table: sparsity and norm per regularized parameter, start -> now."""
        from .report import table
        return table(self, title=title)

    def plot(self, path) -> str:
        """Write an SVG picture of norm and sparsity per parameter over the steps; returns path."""
        import os

        from ..errors import misuse
        if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
            raise misuse("reg.plot(path)", path, "give the .svg file to write as a str or pathlib.Path")
        from .report import write_svg
        return write_svg(self, path)


def _check_optimizer(call: str, optimizer) -> None:
    from ..errors import misuse
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise misuse(call, optimizer, "pass the torch.optim optimizer that updates the model, "
                                      "e.g. reg.step(optimizer) right after optimizer.step()")


def regularize(model: nn.Module, spec, mode: str = "proximal", *,
               momentum_step: str = "effective", record_every: int = 1) -> Regularizer:
    """Attach penalties to chosen parameters of ``model``.

    ``spec`` maps keys to penalties: parameter names (``"mlp.0.weight"``), globs over parameter
    names (``"features.*.weight"``), module names or module objects (all their weights, not
    biases nor normalization scales) or parameter objects; a single penalty means all weights of
    the model. ``mode="proximal"`` (default) applies the exact prox after each
    ``optimizer.step()`` (call ``reg.step(optimizer)`` or ``reg.attach(optimizer)``);
    ``mode="penalty"`` gives ``reg.penalty()`` to add to the loss. ``momentum_step`` picks the
    prox step with SGD momentum: ``"effective"`` = lr/(1-momentum) (the same lam as penalty mode
    at the fixed point) or ``"lr"``. ``record_every``: keep a history row every N steps (the
    row costs a few reductions per parameter; the sign-flip diagnosis wants 1). See
    docs/regularization.md.
    """
    targets = resolve(model, spec)
    from .steps import MOMENTUM_STEPS
    if momentum_step not in MOMENTUM_STEPS:
        raise TensorsightError(
            f"momentum_step={momentum_step!r} must be 'effective' (lr/(1-momentum)) or 'lr'.")
    return Regularizer(targets, mode=mode, momentum_step=momentum_step,
                       record_every=record_every)
