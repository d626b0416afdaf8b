"""``tensorsight.symbolic``: every size of the forward pass as a formula of the named input sizes.

    >>> tr = tensorsight.symbolic(Net(), "N x 1 x H x W")
    >>> tr.find("linear")[0].inputs[0].shape
    ('N', '16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋·⌊(⌊(W − 2)/2⌋ − 2)/2⌋')

Built on torch's own symbolic shapes (see ``symbolic_run``); formulas are shown the way the layers
build them (conv: x − 2, pool: ⌊x/2⌋) while that stays readable, else simplified to one floor
(⌊(H + 31)/32⌋). The returned Trace is an ordinary Trace whose sizes are strings; its
``symbolic_info`` holds the sympy formulas and the conditions the forward put on the sizes.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..capture.events import OpEvent, TensorMeta, TensorRef, Trace
from ..errors import ForwardError, TensorsightError
from .symbolic_formula import closed, depth, evaluate, floor_affine, inert, show, user_symbol
from .symbolic_run import (Condition, SymbolicRun, data_dependent_error, default_hints,
                           input_specs, run, without_lazy)

__all__ = ["symbolic", "SymbolicInfo", "first_run", "formula"]

MAX_LAYER_DEPTH = 2  # deeper nests of floors are shown simplified


@dataclass
class SymbolicInfo:
    """What ``symbolic`` knows beyond the strings in the Trace."""
    names: list[str]
    hints: dict[str, int]
    form: str                                   # 'layers' or 'closed'
    formulas: dict[str, Any]                    # shown text -> sympy formula (user symbols)
    closed: dict[str, str]                      # shown text -> simplified text
    conditions: list[Condition] = field(default_factory=list)
    assumes: list[str] = field(default_factory=list)  # branches the code took on sizes: 'W > 40'
    run: SymbolicRun | None = field(default=None, repr=False)

    def formula(self, text: str | int):
        if isinstance(text, int):
            return sympy.Integer(text)
        return self.formulas[text]


def formula(trace: Trace, dim) -> Any:
    """The sympy formula behind a size shown in a symbolic trace."""
    info = getattr(trace, "symbolic_info", None)
    if info is None:
        raise TensorsightError("this trace is not symbolic; make it with tensorsight.symbolic(model, 'N x 1 x H x W')")
    return info.formula(dim)


def symbolic(model, spec=None, /, *, hints: dict[str, int] | None = None, form: str = "auto",
             **kwargs) -> Trace:
    """Trace ``model`` with named sizes: every size in the Trace becomes a formula of them.

    ``spec``: a shape with names, e.g. ``"N x 1 x H x W"`` or ``"N x T:long"`` (a tuple of those
    for several inputs); keyword arguments go to ``forward`` and may be named shapes too.
    ``hints``: example values for the names (only used where the code branches on a size).
    ``form``: ``'layers'`` (formulas nest the way layers build them), ``'closed'`` (simplified),
    or ``'auto'`` (layers unless floors nest deeper than two).
    """
    if form not in ("auto", "layers", "closed"):
        raise TensorsightError(f"form must be 'auto', 'layers' or 'closed', not {form!r}")
    r = first_run(model, spec, kwargs, hints)
    if r.data_dependent is not None:
        raise data_dependent_error(r)
    tr, info = display_trace(r, form)
    r.model = None  # the trace keeps formulas, not the user's model
    if r.error is not None:
        raise ForwardError(tr.error, tr, getattr(r.error, "original", None))
    return tr


def check_names(model, spec, kwargs, hints=None) -> list[str]:
    names, _ = input_specs(spec, kwargs, model)
    if not names:
        raise TensorsightError(
            "the input has no named sizes; name the sizes that vary, e.g. 'N x 1 x H x W' "
            "(names stand for any size) or '1x1xHxW'")
    for n in names:
        parts = n.split("X")
        if len(parts) > 1 and all(p and (p.isdigit() or p.isidentifier()) for p in parts) \
                and any(p.isdigit() for p in parts):
            raise TensorsightError(
                f"{n!r} is read as one name; separate sizes with a lowercase x, e.g. {'x'.join(parts)}")
    for k in (hints or {}):
        if k not in names:
            raise TensorsightError(f"hint for {k!r}, which is not a size of the input; its names are {', '.join(names)}")
    return names


def first_run(model, spec, kwargs=None, hints=None, attempts: int = 3) -> SymbolicRun:
    """A symbolic run, trying other example sizes when the forward fails on a branch taken for them."""
    names = check_names(model, spec, kwargs, hints)
    model, note = without_lazy(model, spec, kwargs, {**default_hints(names), **(hints or {})})
    first = None
    for attempt in range(attempts):
        h = {**default_hints(names, attempt), **(hints or {})}
        r = run(model, spec, kwargs, h)
        r.model, r.note = model, note
        if r.ok or r.data_dependent is not None:
            return r
        first = first or r
        if not r.path() or hints or note:
            break  # fails whatever the example sizes
    return first


# -- formulas shown the way the layers build them ------------------------------------------------
class _Layers:
    """Per size: a formula built from the op's input sizes (conv: x − 2, pool: ⌊x/2⌋, flatten: a·b)."""

    def __init__(self, r: SymbolicRun, samples: int = 24):
        self.r = r
        rng = random.Random(0)
        self.env = {}
        import numpy as np
        for n in r.names:
            h = max(int(r.hints.get(n, 64)), 2)
            lo, hi = (1, 64) if h <= 4 else (h, 4 * h)
            self.env[user_symbol(n)] = np.array([rng.randint(lo, hi) for _ in range(samples)], dtype=np.int64)
        self.layers: dict[Any, Any] = {}
        for n in r.names:
            self.layers[user_symbol(n)] = user_symbol(n)

    def values(self, e):
        import numpy as np
        try:
            v = evaluate(e, self.env, {})
        except Exception:  # noqa: BLE001 - a formula we cannot compute: never 'equal'
            return None
        return np.broadcast_to(np.asarray(v), (len(next(iter(self.env.values()), [0])),)) if self.env else np.asarray(v)

    def same(self, a, b) -> bool:
        import numpy as np
        va, vb = self.values(a), self.values(b)
        return va is not None and vb is not None and np.array_equal(va, vb)

    def of(self, e):
        """Layer form of a canonical formula already met (or its simplified form)."""
        if not isinstance(e, sympy.Basic) or e.is_number:
            return inert(e)
        hit = self.layers.get(e)
        if hit is None:
            hit = closed(e)
            self.layers[e] = hit
        return hit

    def event(self, ev: OpEvent) -> None:
        for o in ev.outputs:
            for axis, d in enumerate(o.shape):
                if isinstance(d, int):
                    continue
                e = self.r.expr(d)
                if e in self.layers or not isinstance(e, sympy.Basic):
                    continue
                self.layers[e] = self._build(ev, o, axis, e)

    def _build(self, ev: OpEvent, out: TensorMeta, axis: int, e):
        acts = [t for t in ev.inputs if t.role in ("", "input")] or list(ev.inputs)
        main = next((t for t in acts if len(t.shape) == len(out.shape)), acts[0] if acts else None)
        # the same size as an input's
        if main is not None and axis < len(main.shape):
            a = self.r.expr(main.shape[axis])
            if a == e:
                return self.of(a)
        for t in acts:
            for d in t.shape:
                if not isinstance(d, int) and self.r.expr(d) == e:
                    return self.of(self.r.expr(d))
        cand = self._conv_pool(ev, out, axis, main)
        if cand is not None and self.same(cand, e):
            return cand
        if main is not None:
            cand = self._product(main, e)
            if cand is not None:
                return cand
            cand = self._sum(ev, acts, out, axis, e)
            if cand is not None:
                return cand
            if axis < len(main.shape) and not isinstance(main.shape[axis], int):
                cand = self._affine(self.r.expr(main.shape[axis]), e)
                if cand is not None:
                    return cand
        return closed(e)

    def _conv_pool(self, ev: OpEvent, out: TensorMeta, axis: int, main: TensorMeta | None):
        name = ev.name
        if main is None or len(main.shape) != len(out.shape):
            return None
        kind = None
        for k in ("conv_transpose", "conv", "max_pool", "avg_pool", "lp_pool"):
            if name.startswith(k):
                kind = k
                break
        if kind is None or not name[-2:-1].isdigit():
            return None
        nsp = int(name[-2])
        i = axis - (len(out.shape) - nsp)
        if i < 0 or isinstance(main.shape[axis], int):
            return None
        x = self.of(self.r.expr(main.shape[axis]))
        try:
            if kind in ("conv", "conv_transpose"):
                w = ev.resolve(ev.arg(1, "weight"))
                if not isinstance(w, TensorMeta):
                    return None
                k = w.shape[2 + i]
                if not isinstance(k, int):
                    return None
                s = _tup(ev.arg(3, "stride", 1), nsp)[i]
                if kind == "conv":
                    pad = ev.arg(4, "padding", 0)
                    if isinstance(pad, str):
                        if pad != "valid":
                            return None
                        pad = 0
                    p = _tup(pad, nsp)[i]
                    d = _tup(ev.arg(5, "dilation", 1), nsp)[i]
                    return floor_affine(x, 2 * p - d * (k - 1) - 1, s, 1)
                p = _tup(ev.arg(4, "padding", 0), nsp)[i]
                op = _tup(ev.arg(5, "output_padding", 0), nsp)[i]
                d = _tup(ev.arg(7, "dilation", 1), nsp)[i]
                return s * x - s - 2 * p + d * (k - 1) + op + 1
            k = _tup(ev.arg(1, "kernel_size"), nsp)[i]
            stride = ev.arg(2, "stride", None)
            s = _tup(stride, nsp)[i] if stride not in (None, (), []) else k
            p = _tup(ev.arg(3, "padding", 0), nsp)[i]
            if kind == "max_pool":
                d = _tup(ev.arg(4, "dilation", 1), nsp)[i]
                ceil = bool(ev.arg(5, "ceil_mode", False))
            else:
                d = 1
                ceil = bool(ev.arg(4, "ceil_mode", False))
            shift = 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
            return floor_affine(x, shift, s, 1)
        except (TypeError, IndexError, ValueError):
            return None

    def _product(self, main: TensorMeta, e):
        """flatten/view: the size is a product of consecutive input sizes (times a constant)."""
        import numpy as np
        target = self.values(e)
        if target is None:
            return None
        dims = list(main.shape)
        for a in range(len(dims)):
            for b in range(a + 1, len(dims)):
                part = dims[a:b + 1]
                if all(isinstance(d, int) for d in part):
                    continue
                prod = sympy.Integer(1)
                for d in part:
                    prod = prod * self.r.expr(d)
                v = self.values(prod)
                if v is None or np.any(v == 0):
                    continue
                ratio = target / v
                if np.all(ratio == ratio[0]) and float(ratio[0]).is_integer() and ratio[0] > 0:
                    out = sympy.Integer(int(ratio[0]))
                    for d in part:
                        out = out * self.of(self.r.expr(d))
                    return out
        return None

    def _sum(self, ev, acts, out, axis, e):
        """cat: the size is the sum of the inputs' sizes along that axis."""
        same_rank = [t for t in acts if len(t.shape) == len(out.shape)]
        if len(same_rank) < 2:
            return None
        total = sum((self.r.expr(t.shape[axis]) for t in same_rank), sympy.Integer(0))
        if self.same(total, e):
            return sum((self.of(self.r.expr(t.shape[axis])) for t in same_rank), sympy.Integer(0))
        return None

    def _affine(self, a, e):
        """m·x + c of the same-axis input size (transposed conv, upsampling, padding)."""
        import numpy as np
        va, ve = self.values(a), self.values(e)
        if va is None or ve is None:
            return None
        idx = [i for i in range(len(va)) if va[i] != va[0]]
        if not idx:
            return None
        j = idx[0]
        m = (ve[j] - ve[0]) / (va[j] - va[0])
        if not float(m).is_integer() or m == 0:
            return None
        c = ve[0] - m * va[0]
        if np.array_equal(ve, m * va + c):
            return int(m) * self.of(a) + int(c)
        return None


def _tup(v, n):
    if isinstance(v, (list, tuple)):
        v = list(v)
        if len(v) == 1:
            return v * n
        return v
    return [v] * n


# -- the trace users see -------------------------------------------------------------------------
def display_trace(r: SymbolicRun, form: str = "auto") -> tuple[Trace, SymbolicInfo]:
    layers = _Layers(r)
    for ev in r.trace.events:
        layers.event(ev)
    every = [(e, v) for e, v in layers.layers.items()]
    if form == "auto":
        form = "closed" if any(depth(v) > MAX_LAYER_DEPTH for _, v in every) else "layers"
    texts: dict[str, str] = {}      # torch text -> shown text
    formulas: dict[str, Any] = {}
    closed_text: dict[str, str] = {}

    def text(dim):
        if isinstance(dim, int):
            return dim
        hit = texts.get(dim)
        if hit is not None:
            return hit
        e = r.expr(dim)
        if isinstance(e, sympy.Integer):
            texts[dim] = int(e)
            return int(e)
        if not isinstance(e, sympy.Basic):
            texts[dim] = r.user_text(dim)
            return texts[dim]
        shown = layers.of(e) if form == "layers" else closed(e)
        t = show(shown)
        texts[dim] = t
        formulas.setdefault(t, e)
        closed_text.setdefault(t, show(closed(e)))
        return t

    def meta(m: TensorMeta) -> TensorMeta:
        return TensorMeta(tuple(text(d) for d in m.shape), m.dtype, m.device, m.producer, m.role)

    def arg(v):
        if isinstance(v, str) and (v in r.exprs or v in r.rename):
            return text(v)
        if isinstance(v, (list, tuple)) and not isinstance(v, TensorRef):
            return type(v)(arg(x) for x in v)
        if isinstance(v, dict):
            return {k: arg(x) for k, x in v.items()}
        return v

    src = r.trace
    tr = Trace(model=src.model, mode="symbolic", error=r.user_text(src.error), error_type=src.error_type)
    tr.inputs = [meta(m) for m in src.inputs]
    tr.outputs = [meta(m) for m in src.outputs]
    for ev in src.events:
        new = copy.copy(ev)
        new.inputs = [meta(m) for m in ev.inputs]
        new.outputs = [meta(m) for m in ev.outputs]
        new.args = arg(ev.args)
        new.kwargs = arg(ev.kwargs)
        new.error = r.user_text(ev.error)
        tr.events.append(new)
    for mc in src.modules:
        new = copy.copy(mc)
        new.inputs = [meta(m) for m in mc.inputs]
        new.outputs = [meta(m) for m in mc.outputs]
        tr.modules.append(new)
    tr.symbols = {n: r.places.get(n, n) for n in r.names}
    for n in r.names:
        formulas.setdefault(n, user_symbol(n))
        closed_text.setdefault(n, n)
    assumes = []
    for c in r.path():
        t = show(closed(c.expr))
        if t not in assumes and t != "true":
            assumes.append(t)
    info = SymbolicInfo(names=list(r.names), hints=dict(r.hints), form=form, formulas=formulas,
                        closed=closed_text, conditions=list(r.conditions), assumes=assumes, run=r)
    info.layer_of = layers.of  # the shown form of any formula of this run
    tr.symbolic_info = info
    return tr, info


def shown(info: SymbolicInfo, e) -> str:
    """Text of a formula of the run in the trace's form (used for conditions)."""
    if info.form == "layers" and hasattr(info, "layer_of"):
        return show(info.layer_of(e))
    return show(closed(e))

