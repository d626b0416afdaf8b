"""Diagnosis of a penalty that makes weights oscillate instead of shrinking.

The failure (a forum classic): ``loss = criterion(out, y) + lam * torch.norm(w, 1)`` with a large
``lam`` and SGD. The penalty's gradient is ``lam * sign(w)``, so each step moves every weight by
``lr * lam`` towards zero, whatever its size. When ``lr * lam`` is larger than the weights, the
step jumps across zero, the sign flips, the next step jumps back, and momentum adds the jumps
up: the weights grow instead of shrinking and never become exactly zero.

Two entry points, both returning findings as plain JSON-ready dicts::

    {"severity": "warning", "category": "regularization", "file": str, "line": int,
     "message": str, "fixes": []}

* ``check_history(reg, target)``: for ``regularize(..., mode="penalty")`` users (exact lambda,
  file/line where ``reg.penalty()`` is called). ``Regularizer.diagnose()`` calls it.
* ``L1Watch``: for users who write the penalty by hand. Needs only the optimizer, once per step::

      watch = L1Watch()
      handle = torch.optim.optimizer.register_optimizer_step_post_hook(watch)
      ...                                   # training
      watch.findings()

  (``watch`` is itself a valid hook: ``watch(optimizer, args, kwargs)``; ``watch.install()``
  does the registration and returns the handle.) It samples at most ``sample`` elements of each
  parameter, keeps their previous values, and looks for the pattern: in at least ``min_steps``
  of the last ``window`` steps most weights changed sign (with momentum, typically every second
  step), while in (almost) every step the gradient pointed every weight towards zero. The
  gradient tells which penalty: ``≈ lam * sign(w)`` (same size for all weights) is L1, with
  ``lam`` estimated from it; ``≈ c * w`` is L2. The finding points at the source line that adds
  the penalty (the closest L1/L2-looking line before the ``optimizer.step()`` call), else at the
  step. It stops looking after ``max_steps`` steps of an optimizer, so it costs nothing for the
  rest of a run.
"""
from __future__ import annotations

import linecache
from collections import deque
import os
import re
import sys

import torch

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))
_SKIP_DIRS = (_PKG_DIR + os.sep, _TORCH_DIR + os.sep)

_L1_SOURCE = re.compile(
    r"norm\s*\([^#]*,\s*(p\s*=\s*|ord\s*=\s*)?1\s*[,)]"   # torch.norm(w, 1), vector_norm(w, ord=1)
    r"|\.norm\(\s*(p\s*=\s*)?1\s*[,)]"                   # w.norm(1)
    r"|\babs\s*\(\s*\)\s*\.\s*sum\s*\("                   # w.abs().sum()
    r"|torch\.abs\s*\([^#]*\)\s*\.\s*sum\s*\("            # torch.abs(w).sum()
    r"|sum\s*\(\s*torch\.abs\s*\(")                       # torch.sum(torch.abs(w))
_L2_SOURCE = re.compile(r"pow\s*\(\s*2\s*\)|\*\*\s*2\b|norm\s*\([^#]*,\s*(p\s*=\s*)?2\s*[,)]")


# -- where in the user's code -------------------------------------------------------------
def user_site() -> tuple[str, int] | None:
    """(file, line) of the first frame, walking outward, that is neither tensorsight nor torch."""
    frame = sys._getframe(1)
    while frame is not None:
        fn = frame.f_code.co_filename
        if not fn.startswith("<") and not os.path.abspath(fn).startswith(_SKIP_DIRS):
            return fn, frame.f_lineno
        frame = frame.f_back
    return None


def find_penalty_line(filename: str, kind: str = "L1", near: int | None = None) -> int | None:
    """The line of ``filename`` that looks like it adds an L1 (or L2) term: the closest one at
    or before line ``near`` (where optimizer.step() was called), else the first one."""
    pattern = _L1_SOURCE if kind == "L1" else _L2_SOURCE
    hits = [i for i, text in enumerate(linecache.getlines(filename), start=1)
            if pattern.search(text.split("#", 1)[0])]
    if not hits:
        return None
    before = [i for i in hits if near is not None and i <= near]
    return before[-1] if before else hits[0]


# -- wording ------------------------------------------------------------------------------
def num(x: float) -> str:
    """3 significant digits, no exponent for ordinary sizes: 1000, 0.02, 111, 3.14."""
    x = float(x)
    if x == 0 or not (1e-3 <= abs(x) < 1e6):
        return f"{x:.3g}"
    digits = max(0, 2 - int(f"{abs(x):e}".split("e")[1]))
    text = f"{round(x, digits):.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def finding(site: tuple[str, int] | None, message: str) -> dict:
    file, line = site if site else ("<unknown>", 0)
    return {"severity": "warning", "category": "regularization", "file": str(file),
            "line": int(line), "message": message, "fixes": []}


def oscillation_message(name: str, *, kind: str, lam: float | None, estimated: bool,
                        lr: float | None, momentum: float, jump: float, scale: float,
                        flips: str, growth: tuple[float, float] | None,
                        loss_grad: float | None, sgd: bool, growth_of: str = "‖w‖",
                        penalty_label: str | None = None) -> str:
    """One paragraph: what happens, why (with the numbers), and what to do.

    kind: "L1", "group", "L2" or "other"; lam: λ (for L2 the c of a gradient c·w); jump: the
    penalty's step per step (SGD) or the median |Δw|; scale: the weights' median |w| (group
    norms for "group")."""
    approx = "≈ " if estimated else "= "
    lam_s = num(lam) if lam is not None else "λ"
    lr_v = lr or 0.0
    parts = []
    if kind == "L1":
        if estimated:
            what = (f"its gradient is ≈ {lam_s}·sign(w) in every step, an L1 term λ·‖w‖₁ "
                    f"with λ {approx}{lam_s}")
        elif penalty_label and not penalty_label.startswith("L1("):
            what = f"the L1 part of {penalty_label}, λ = {lam_s}"
        else:
            what = f"the L1 penalty λ·‖w‖₁ with λ = {lam_s}"
        parts.append(f"{name!r} oscillates around zero instead of shrinking: {what}.")
        if sgd and lam is not None:
            step_txt = (f"The penalty's step lr·λ = {num(lr_v)}·{lam_s} = {num(lr_v * lam)} "
                        f"per step")
        else:
            step_txt = f"The optimizer's step (median |Δw| = {num(jump)} per step)"
        verb = "is larger than" if jump >= scale else "comes close to"
        text = (f"{step_txt} {verb} the weights (median |w| = {num(scale)}), so each step "
                f"jumps across zero")
        if sgd and 0 < momentum < 1 and lam is not None:
            text += (f", and momentum {num(momentum)} adds the jumps up (up to "
                     f"{num(lr_v * lam)}/(1−{num(momentum)}) = "
                     f"{num(lr_v * lam / (1 - momentum))} per step)")
        parts.append(text + ".")
    elif kind == "group":
        parts.append(f"{name!r} oscillates instead of shrinking: the group-lasso step lr·λ = "
                     f"{num(lr_v)}·{lam_s} = {num(jump)} per step is larger than the groups' "
                     f"norms (median {num(scale)}), so each step flips whole units across zero.")
    elif kind == "L2":
        c = lam or 0.0
        parts.append(
            f"{name!r} oscillates instead of shrinking: its gradient is ≈ c·w with c {approx}"
            f"{num(c)} (an L2 term dominates), and lr·c = {num(lr_v)}·{num(c)} = "
            f"{num(lr_v * c)} > 1, so each step multiplies the weights by 1 − lr·c = "
            f"{num(1 - lr_v * c)}: past zero" + (" and growing." if lr_v * c > 2 else "."))
    else:
        parts.append(f"{name!r} oscillates around zero: every step pushes all weights towards "
                     f"zero and overshoots (median |Δw| = {num(jump)}, median |w| = "
                     f"{num(scale)}); a penalty term dominates the loss.")
    parts.append(flips)
    if growth is not None and growth[1] > growth[0]:
        parts.append(f"The weights grew instead of shrinking ({growth_of} from "
                     f"{num(growth[0])} to {num(growth[1])}).")
    if kind in ("L1", "group"):
        parts.append("A subgradient step never lands exactly on 0.")
    label = penalty_label or ("L2" if kind == "L2" else "L1") + f"({lam_s})"
    fixes = ["use tensorsight's proximal mode (reg = tensorsight.regularize(model, "
             f"{{{name!r}: {label}}}, mode='proximal'), then reg.step(optimizer) after "
             "optimizer.step()): it shrinks monotonically and gives exact zeros"]
    if kind == "L2" and lam:
        fixes.append(f"or make lr·c well below 1 (lr ≤ {num(0.1 / lam)})")
    elif sgd and lam and scale > 0:
        fixes.append(f"or make lr·λ well below the weights (lr ≤ {num(scale / lam / 10)})")
    elif scale > 0:
        fixes.append(f"or a smaller lr (well below the weights: lr ≤ {num(scale / 10)})")
    scale_fix = ("or put λ on the loss's scale: the loss is averaged over the batch "
                 "(reduction='mean', the default), so λ compares with the loss's own gradient")
    if loss_grad is not None and loss_grad > 0:
        scale_fix += f", which was at most {num(loss_grad)} here at the start"
        if kind == "L1":
            scale_fix += f": any λ ≥ {num(loss_grad)} makes every weight exactly zero"
            if lam is not None and lam > loss_grad:
                scale_fix += f" (λ = {lam_s} is {num(lam / loss_grad)}× that)"
            scale_fix += (f"; try λ between {num(loss_grad / 100)} and {num(loss_grad / 10)}, "
                          f"then raise it to prune more")
    fixes.append(scale_fix)
    parts.append("What to do: " + "; ".join(fixes) + ".")
    return " ".join(parts)


def _flips_text(n_flip: int, n: int, fractions: list[float], sampled: bool = False) -> str:
    mean = 100 * sum(fractions) / max(len(fractions), 1)
    return (f"In {n_flip} of the last {n} steps most weights changed sign ({num(mean)}% of "
            f"them{' (sampled)' if sampled else ''} on average in those steps).")


# -- for regularize(..., mode="penalty") --------------------------------------------------
def check_history(reg, target, min_steps: int = 3, flip_fraction: float = 0.5,
                  window: int = 8) -> dict | None:
    """A finding when a penalty-mode penalty makes ``target`` oscillate, else None.

    Oscillating: in at least ``min_steps`` of the last ``window`` steps, at least
    ``flip_fraction`` of the weights changed sign (with momentum the sign typically flips every
    second step). Reported when it oscillates and the penalty's step is larger than the weights
    or the norm grew (x2 since the start), or when the step is too large and the norm grew.
    """
    from .penalties import ElasticNet, GroupLasso, L2
    hist = reg.history[target.name]
    if reg.mode != "penalty" or len(hist) < min_steps + 1:
        return None
    last, first = hist[-1], hist[0]
    pen = target.penalty
    if last.lr is None:
        return None
    sgd = last.step_size == last.lr
    step = last.step_size or last.lr
    flags = [r.sign_flips >= flip_fraction for r in hist[1:]][-window:]
    scales = sorted(r.scale for r in hist[1:])
    scale = scales[len(scales) // 2]
    changes = sorted(r.change for r in hist[1:])
    change = changes[len(changes) // 2]
    l2_lam = pen.lam if isinstance(pen, L2) else (
        pen.lam * (1 - pen.l1_ratio) if isinstance(pen, ElasticNet) else 0.0)
    if l2_lam and (isinstance(pen, L2) or step * l2_lam > 1):  # the w-proportional part rules
        kind, lam = "L2", l2_lam
        dominating = step * lam > 1
        jump = change
    else:
        kind = "group" if isinstance(pen, GroupLasso) else "L1"
        lam = pen.lam if kind == "group" else pen.l1_lam
        if lam is None:
            return None
        if sgd:  # the penalty's own step, amplified by momentum
            amplify = 1.0 / (1.0 - last.momentum) if 0 < last.momentum < 1 else 1.0
            jump = step * lam
            dominating = jump * amplify >= scale
        else:    # adaptive steps: each weight moves about lr whatever lam is
            jump = change
            dominating = change >= scale
    growing = last.norm >= 2 * first.norm and last.norm > 0
    oscillating = sum(flags) >= min_steps
    if not ((oscillating and (dominating or growing)) or (dominating and growing and any(flags))):
        return None
    flips = _flips_text(sum(flags), len(flags),
                        [r.sign_flips for r, f in zip(hist[-len(flags):], flags) if f])
    loss_grad = next((r.loss_grad_max for r in hist if r.loss_grad_max is not None), None)
    message = oscillation_message(
        target.name, kind=kind, lam=lam, estimated=False, lr=last.lr, momentum=last.momentum,
        jump=jump, scale=scale, flips=flips, growth=(first.norm, last.norm),
        loss_grad=loss_grad, sgd=sgd, penalty_label=pen.label())
    return finding(reg.penalty_site or reg.step_site, message)


# -- for penalties written by hand --------------------------------------------------------
class _ParamState:
    __slots__ = ("idx", "prev", "flips", "toward", "scales", "jumps", "first_scale", "first",
                 "lam_est", "l2_est", "done")

    def __init__(self, idx, window):
        self.idx = idx
        self.prev = None
        self.flips = deque(maxlen=window)   # fraction of weights that changed sign, per step
        self.toward = deque(maxlen=window)  # did the gradient push (almost) all towards zero
        self.scales = deque(maxlen=window)  # median |w| before each step
        self.jumps = deque(maxlen=window)   # median |Δw| of each step
        self.first_scale = None
        self.first = None      # (grad sample, sign of w before the step) at the first step seen
        self.lam_est: list[float] = []
        self.l2_est: list[float] = []
        self.done = False


def _pre_step_sample(optimizer, group, p, w, idx):
    """The sampled weights before this step, when SGD lets us recompute them exactly."""
    if not isinstance(optimizer, torch.optim.SGD) or group.get("nesterov"):
        return None
    lr = float(group["lr"])
    buf = optimizer.state.get(p, {}).get("momentum_buffer")
    if buf is not None:
        update = buf
    elif not group.get("momentum") and not group.get("weight_decay") and p.grad is not None:
        update = p.grad
    else:
        return None
    u = update.detach().reshape(-1)
    u = u[idx] if idx is not None else u
    return w + lr * u.float()


def _param_name(p) -> str | None:
    """The name of ``p`` in the outermost live nn.Module holding it (a gc scan: only done when
    reporting, at most once per parameter)."""
    import gc
    import warnings
    from torch import nn
    best = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            modules = [o for o in gc.get_objects() if issubclass(type(o), nn.Module)]
        for obj in modules:
            for n, q in obj.named_parameters():
                if q is p and (best is None or len(n) > len(best)):
                    best = n
    except Exception:  # a half-built module: naming is best effort
        return best
    return best


class L1Watch:
    """Watches optimizer steps for a hand-written penalty that makes weights oscillate.

    ``L1Watch(model=None, max_steps=50, sample=4096, min_steps=3)``; ``after_step(optimizer)``
    after each step returns the new findings (each parameter reported at most once);
    ``findings()`` returns all of them. ``model`` only serves to name parameters (an optimizer
    built from ``model.named_parameters()`` names them too).
    """

    def __init__(self, model=None, *, max_steps: int = 50, sample: int = 4096,
                 min_steps: int = 3, flip_fraction: float = 0.5, window: int = 8):
        self.max_steps = max_steps
        self.window = window
        self.sample = sample
        self.min_steps = min_steps
        self.flip_fraction = flip_fraction
        self._names = {id(p): n for n, p in model.named_parameters()} if model is not None else {}
        self._state: dict[int, _ParamState] = {}
        self._steps: dict[int, int] = {}
        self._findings: list[dict] = []
        self._handle = None

    # hook protocol: register_optimizer_step_post_hook(watch) / optimizer.register_step_post_hook
    def __call__(self, optimizer, args=(), kwargs=None) -> None:
        self.after_step(optimizer)

    def install(self):
        """Register as a global optimizer step post hook (all optimizers); returns the handle."""
        from torch.optim.optimizer import register_optimizer_step_post_hook
        if self._handle is None:
            self._handle = register_optimizer_step_post_hook(self)
        return self._handle

    def remove(self) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def findings(self) -> list[dict]:
        return list(self._findings)

    def after_step(self, optimizer) -> list[dict]:
        """Look at this step; returns the findings it produced (usually none)."""
        n = self._steps.get(id(optimizer), 0) + 1
        self._steps[id(optimizer)] = n
        if n > self.max_steps:
            if n == self.max_steps + 1:  # done with this optimizer: free the samples
                for group in optimizer.param_groups:
                    for q in group["params"]:
                        st = self._state.get(id(q))
                        if st is not None:
                            st.prev = st.first = None
                            st.done = True
            return []
        skip = self._proximal_params()
        new = []
        with torch.no_grad():
            for gi, group in enumerate(optimizer.param_groups):
                names = group.get("param_names")
                for pi, p in enumerate(group["params"]):
                    if (p.grad is None or p.grad.is_sparse or id(p) in skip
                            or not p.is_floating_point()):
                        continue
                    name = self._names.get(id(p)) or (names[pi] if names else None)
                    f = self._look(optimizer, group, p, name, (gi, pi))
                    if f is not None:
                        new.append(f)
        self._findings.extend(new)
        return new

    # -- internals -----------------------------------------------------------------------
    @staticmethod
    def _proximal_params() -> set[int]:
        from .regularizer import live_regularizers
        return {id(t.param) for r in live_regularizers() if r.mode == "proximal"
                for t in r.targets}

    def _look(self, optimizer, group, p, name, where) -> dict | None:
        st = self._state.get(id(p))
        if st is None:
            numel = p.numel()
            idx = None
            if numel > self.sample:
                idx = torch.arange(0, numel, numel // self.sample, device=p.device)[:self.sample]
            st = self._state[id(p)] = _ParamState(idx, self.window)
        if st.done:
            return None
        flat = p.detach().reshape(-1)
        w = (flat[st.idx] if st.idx is not None else flat.clone()).float()
        g = p.grad.detach().reshape(-1)
        g = (g[st.idx] if st.idx is not None else g).float()
        prev = st.prev if st.prev is not None else _pre_step_sample(optimizer, group, p, w, st.idx)
        st.prev = w
        if prev is None:
            return None
        sp = torch.sign(prev)
        nz = sp != 0
        n_nz = int(nz.sum())
        if n_nz == 0:
            return None
        gs = (g * sp)[nz]
        flipped = float(((torch.sign(w) * sp) < 0).sum()) / n_nz
        toward = float((gs > 0).sum()) / n_nz >= 0.9
        scale = float(prev.abs().median())
        if st.first is None:
            st.first = (g.clone(), sp.clone())
            st.first_scale = scale
        st.flips.append(flipped)
        st.toward.append(toward)
        st.scales.append(scale)
        st.jumps.append(float((w - prev).abs().median()))
        if toward:
            st.lam_est.append(float(gs.median()))
            st.l2_est.append(float((g[nz] / prev[nz]).median()))
        n_flip = sum(f >= self.flip_fraction for f in st.flips)
        if n_flip < self.min_steps or sum(st.toward) < len(st.toward) - 1:
            return None
        st.done = True
        name = name or _param_name(p) or (
            f"param {where[1]} of param group {where[0]} (shape {tuple(p.shape)})")
        return self._finding(optimizer, group, p, name, st, w, n_flip)

    def _finding(self, optimizer, group, p, name, st, w, n_flip) -> dict:
        lam = sorted(st.lam_est)[len(st.lam_est) // 2]
        g0, s0 = st.first
        spread = float(((g0 * s0)[s0 != 0] - lam).abs().median()) / max(abs(lam), 1e-12)
        c = sorted(st.l2_est)[len(st.l2_est) // 2]
        sgd = isinstance(optimizer, torch.optim.SGD)
        lr = float(group["lr"])
        mu = float(group.get("momentum", 0.0) or 0.0) if sgd else 0.0
        scale = sorted(st.scales)[len(st.scales) // 2]
        if spread < 0.25:  # the same push on every weight: lam * sign(w)
            lam = float(f"{lam:.2g}")  # users pick round lambdas; the loss's share is noise
            kind, lam_shown = "L1", lam
            loss_grad = float((g0 - lam * s0).abs().max())
        elif sgd and lr * c > 1:
            kind, lam_shown, loss_grad = "L2", float(f"{c:.2g}"), None
        else:
            kind, lam_shown, loss_grad = "other", None, None
        jump = lr * lam if sgd and kind == "L1" else sorted(st.jumps)[len(st.jumps) // 2]
        flips = _flips_text(n_flip, len(st.flips),
                            [f for f in st.flips if f >= self.flip_fraction], st.idx is not None)
        site = None
        from .regularizer import live_regularizers
        for r in live_regularizers():
            for t in r.targets:
                if t.param is p and r.mode == "penalty":
                    site = r.penalty_site
        if site is None:
            site = user_site()
            if site is not None:
                line = find_penalty_line(site[0], "L1" if kind == "L1" else "L2", site[1])
                if line is not None:
                    site = (site[0], line)
        message = oscillation_message(
            name, kind=kind, lam=lam_shown, estimated=True, lr=lr, momentum=mu, jump=jump,
            scale=scale, flips=flips, growth=(st.first_scale, float(w.abs().median())),
            loss_grad=loss_grad, sgd=sgd, growth_of="median |w|")
        return finding(site, message)
