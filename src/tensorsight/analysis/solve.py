"""``tensorsight.solve``: which input sizes a model accepts, and why the others fail.

    >>> sol = tensorsight.solve(Net(), "1x1xHxW")
    >>> print(sol)
    Net accepts 1x1xHxW for
      H, W ∈ {32, 33}
    ...
    >>> sol.check("1x1x28x28").op
    'F.linear'

How: one symbolic forward pass (``symbolic_run``) yields every condition the forward puts on the
named sizes, in torch's own symbolic algebra: conv and pooling need their input to be at least the
kernel, Linear needs exactly in_features, cat needs equal sizes, view needs divisibility. Each
condition is then evaluated *exactly* on every size of a range (1..1024 by default; numpy,
vectorised), for the sizes that share conditions together, and the valid sets are put in words.
Where the code branches on a size, the branch taken for the example size is a 'path' condition:
sizes outside it are traced again with another example size until every size in the range is
covered (or the time budget is spent; uncovered sizes are then reported as unexplored).
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..capture.events import Trace
from ..errors import ForwardError, TensorsightError
from ..shapes import ShapeSpec, parse_shape
from .solve_sets import SizeSet, describe, merge_names, size_set
from .symbolic import SymbolicInfo, check_names, display_trace, first_run, shown
from .symbolic_formula import Unsupported, closed, evaluate, inert, show, user_symbol, value
from .symbolic_run import SymbolicRun, data_dependent_error, run

__all__ = ["solve", "Solution", "Constraint", "Check", "SizeSet"]

GRID_POINTS = 1 << 20   # most sizes evaluated at once for sizes that share conditions
BATCH_MAX = 8           # batch-like names are searched over 1..8 when they share conditions
# most sizes one group may be searched over: every size costs a few bytes per condition, so
# 2^24 sizes is ~0.5 GB at 20 conditions (docs/limits.md); a wider range is refused, not tried
GRID_LIMIT = 1 << 24


# -- results ---------------------------------------------------------------------------------------
@dataclass
class Constraint:
    """One condition the forward puts on the sizes, in words."""
    text: str                  # '16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋·⌊(⌊(W − 2)/2⌋ − 2)/2⌋ = 576'
    meaning: str               # 'H, W ∈ {32, 33}'
    kind: str                  # 'equality', 'minimum', 'divisibility', 'exclusion', 'condition', 'error'
    op: str = ""               # 'F.linear'
    module: str = ""           # 'fc1'
    where: str = ""            # 'lenet.py:14'
    symbols: tuple[str, ...] = ()
    binding: bool = True       # False: implied by the others
    message: str = ""          # torch's message for errors
    when: str = ""             # the branch the code takes for the sizes this applies to: 'W > 40'
    expr: Any = field(default=None, repr=False)

    def __str__(self) -> str:
        who = self.module or self.op
        at = f" ({self.op}{', ' + self.where if self.where else ''})" if self.module else (
            f" ({self.where})" if self.where else "")
        meaning = f"  →  {self.meaning}" if self.meaning and self.meaning != self.text else ""
        when = f"  [when {self.when}]" if self.when else ""
        if self.kind == "error":
            return f"{who}{at} fails {self.text}: {self.message}{when}"
        return f"{who}{at} needs {self.text}{meaning}{when}"

    def to_dict(self) -> dict:
        return {"text": self.text, "meaning": self.meaning, "kind": self.kind, "op": self.op,
                "module": self.module, "where": self.where, "symbols": list(self.symbols),
                "binding": self.binding, "message": self.message, "when": self.when}


@dataclass
class Check:
    """Why one size works or fails, and the nearest sizes that work."""
    size: dict[str, int]
    shape: str                      # '1x1x28x28'
    ok: bool
    op: str = ""                    # the op that fails first
    module: str = ""
    where: str = ""
    code: str = ""
    message: str = ""
    violated: list[str] = field(default_factory=list)  # constraints false at this size
    nearest: list[str] = field(default_factory=list)   # nearest shapes that work
    note: str = ""

    def __str__(self) -> str:
        if self.ok:
            text = f"{self.shape} works"
            return text + (f" ({self.note})" if self.note else "")
        who = self.module or self.op or "the forward"
        at = f" ({self.op}{', ' + self.where if self.where else ''})" if self.module and self.op else (
            f" ({self.where})" if self.where else "")
        lines = [f"{self.shape} fails first at {who}{at}: {self.message}"]
        if self.code:
            lines.append(f"  {self.code}")
        for v in self.violated:
            lines.append(f"  {v}")
        if self.nearest:
            lines.append("nearest sizes that work: " + ", ".join(self.nearest))
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"size": self.size, "shape": self.shape, "ok": self.ok, "op": self.op,
                "module": self.module, "where": self.where, "message": self.message,
                "violated": self.violated, "nearest": self.nearest, "note": self.note}


@dataclass
class Solution:
    """The input sizes a model accepts."""
    model: str
    spec: str                                   # '1x1xHxW'
    names: list[str]
    sets: dict[str, SizeSet]                    # per name: the sizes that work (with the others free)
    constraints: list[Constraint]
    separable: bool                             # the valid sizes are sets[H] × sets[W] × ...
    summary: list[str]                          # 'H, W ∈ {32, 33}', 'H ≥ 11', '(H, W) ∈ {...}'
    smallest: dict[str, int] | None             # the smallest sizes that work
    ranges: dict[str, tuple[int, int]]          # searched range per name
    notes: list[str] = field(default_factory=list)
    trace: Trace | None = field(default=None, repr=False)  # the symbolic trace
    seconds: float = 0.0
    runs: int = 1
    _solver: Any = field(default=None, repr=False)

    @property
    def smallest_shape(self) -> str | None:
        return None if self.smallest is None else self._solver.shape_text(self.smallest)

    def valid(self, size) -> bool | None:
        """Whether the conditions admit ``size`` (a shape string, tuple or dict of names)."""
        return self._solver.label(self._solver.sizes(size))[0]

    def check(self, size=None, /, **names) -> Check:
        """Trace ``size`` for real (on fake tensors): the op that fails first and the nearest sizes that work."""
        return self._solver.check(size if size is not None else names)

    def __str__(self) -> str:
        lines = [f"{self.model} accepts {self.spec} for" if self.summary else
                 f"{self.model}: no {self.spec} works in the searched range"]
        lines += [f"  {s}" for s in self.summary]
        if self.smallest is not None:
            lines.append(f"smallest: {self.smallest_shape}")
        shown_ = [c for c in self.constraints if c.binding]
        if shown_:
            lines.append("because")
            lines += [f"  {c}" for c in shown_]
        implied = len(self.constraints) - len(shown_)
        if implied:
            lines.append(f"  (and {implied} condition{'s' if implied > 1 else ''} these imply)")
        rng = sorted({f"{a}..{b}" for a, b in self.ranges.values()})
        lines.append(f"searched {', '.join(self.ranges)} over {', '.join(rng)}")
        lines += self.notes
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"model": self.model, "spec": self.spec, "names": self.names,
                "sets": {k: v.to_dict() for k, v in self.sets.items()},
                "summary": self.summary, "separable": self.separable, "smallest": self.smallest,
                "smallest_shape": self.smallest_shape,
                "constraints": [c.to_dict() for c in self.constraints],
                "ranges": {k: list(v) for k, v in self.ranges.items()}, "notes": self.notes,
                "runs": self.runs}


# -- the solver --------------------------------------------------------------------------------------
def check_grid(counts: dict[str, int], lo: int, hi: int) -> None:
    """Refuse a search over more than GRID_LIMIT sizes at once, in one sentence with the number."""
    points = math.prod(counts.values())
    if points > GRID_LIMIT:
        names = ", ".join(counts)
        raise TensorsightError(f"searching {names} over {lo}..{hi} means {points:,} sizes at once; the limit is "
                               f"{GRID_LIMIT:,} (docs/limits.md): narrow the range, e.g. --range {lo}..{lo + 1023}")


def solve(model, spec=None, /, *, range: tuple[int, int] = (1, 1024), hints: dict[str, int] | None = None,
          budget: float = 2.0, **kwargs) -> Solution:
    """The input sizes ``model`` accepts, for the named sizes of ``spec`` (e.g. ``"1x1xHxW"``).

    Each named size is searched exactly over ``range``; sizes that share a condition are searched
    together (over smaller ranges when many share one). ``budget`` bounds, in seconds, the extra
    forward passes (after the first) spent where the code branches on a size. Keyword arguments
    go to forward.
    """
    t0 = time.perf_counter()
    if (not isinstance(range, (tuple, list)) or len(range) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in range)):
        raise TensorsightError(f"solve(range=...): got {range!r}; range must be two whole sizes (lo, hi), "
                               f"e.g. range=(1, 512)")
    lo, hi = int(range[0]), int(range[1])
    if lo < 1 or hi < lo:
        raise TensorsightError(f"range must be two sizes 1 ≤ lo ≤ hi, got {range!r}")
    check_grid({"each size": hi - lo + 1}, lo, hi)
    if not isinstance(budget, (int, float)) or isinstance(budget, bool) or not budget >= 0:
        raise TensorsightError(f"solve(budget=...): got {budget!r}; budget is seconds >= 0, e.g. budget=2.0")
    check_names(model, spec, kwargs, hints)
    r0 = first_run(model, spec, kwargs, hints)
    if r0.data_dependent is not None:
        raise data_dependent_error(r0)
    if r0.error is not None and not r0.path():
        raise _static_failure(r0, r0.model if r0.model is not None else model, spec, kwargs)
    s = _Solver(r0.model if r0.model is not None else model, spec, kwargs, r0, lo, hi)
    if r0.note:
        s.notes.append(r0.note)
    s.explore(time.perf_counter() + budget)
    sol = s.solution()
    sol.seconds = time.perf_counter() - t0
    return sol


def _static_failure(r: SymbolicRun, model, spec, kwargs) -> TensorsightError:
    ev = r.trace.events[-1] if r.trace.events else None
    msg = r.user_text(str(r.error))
    try:  # torch's own words for it, from a plain trace at the example sizes
        from ..capture.fake import trace as fake_trace
        example, kw = _concrete(spec, kwargs, r.hints)
        fake_trace(model, example, kwargs=kw)
    except ForwardError as exc:
        if exc.trace is not None and exc.trace.events and ev is not None \
                and exc.trace.events[-1].op == ev.op and exc.trace.events[-1].module == ev.module:
            msg = str(exc).split("\n")[0]
    except Exception:  # noqa: BLE001 - keep the symbolic message
        pass
    who = ""
    if ev is not None:
        who = f"{ev.module + ' (' + ev.op + ')' if ev.module else ev.op}"
        if ev.where:
            who += f" at {_where(ev)}"
        who += ": "
    return TensorsightError(
        f"no size works: {who}{msg} — whatever {', '.join(r.names)} are; check the fixed sizes "
        f"of the input {_spec_text(spec)}")


def _spec_text(spec) -> str:
    if isinstance(spec, ShapeSpec):
        return "x".join(map(str, spec.dims)) + ("" if spec.dtype == "float32" else f":{spec.dtype}")
    if isinstance(spec, str):
        return _spec_text(parse_shape(spec))
    if isinstance(spec, (list, tuple)) and spec and not all(isinstance(d, int) for d in spec):
        return ", ".join(_spec_text(s) for s in spec)
    if isinstance(spec, dict):
        return ", ".join(f"{k}={_spec_text(v)}" for k, v in spec.items())
    return str(spec)


@dataclass
class _Cond:
    """A condition of one run, split into one conjunct."""
    expr: Any
    kind: str          # 'check' | 'path' | 'error'
    run: int
    event: int | None
    symbols: frozenset
    message: str = ""
    origin: str = ""


class _Solver:
    def __init__(self, model, spec, kwargs, r0: SymbolicRun, lo: int, hi: int):
        self.model, self.spec, self.kwargs = model, spec, kwargs
        self.lo, self.hi = lo, hi
        self.runs: list[SymbolicRun] = [r0]
        self.names = list(r0.names)
        self.syms = {n: user_symbol(n) for n in self.names}
        self.base_hints = dict(r0.hints)
        self.notes: list[str] = []
        self._analyse()

    # -- conditions ---------------------------------------------------------------------------
    def _conds(self) -> list[_Cond]:
        out: list[_Cond] = []
        seen = set()
        for ri, r in enumerate(self.runs):
            keep = {id(c) for c in r.path()}
            for c in r.conditions:
                if c.kind == "path" and id(c) not in keep:
                    continue
                for part in _conjuncts(c.expr):
                    if _trivial(part):
                        continue
                    key = (ri, part, c.kind)
                    if key in seen:
                        continue
                    seen.add(key)
                    free = part.free_symbols
                    if any(self.syms.get(s.name) != s for s in free):
                        continue  # a size torch made up (not one of the input's names)
                    syms = frozenset(s.name for s in free)
                    if not syms:
                        continue
                    out.append(_Cond(part, c.kind, ri, c.event, syms, c.message, c.origin))
        return out

    def _analyse(self) -> None:
        self.conds = self._conds()
        # sizes that share a condition are searched together
        parent = {n: n for n in self.names}

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a
        for c in self.conds:
            first, *rest = sorted(c.symbols)
            for o in rest:
                parent[find(o)] = find(first)
        groups: dict[str, list[str]] = {}
        for n in self.names:
            groups.setdefault(find(n), []).append(n)
        self.components = [_Component(self, g) for g in groups.values()]
        self.component_of = {n: comp for comp in self.components for n in comp.names}

    # -- exploration of branches ---------------------------------------------------------------
    def explore(self, deadline: float) -> None:
        for comp in self.components:
            comp.evaluate()
        while True:
            todo = [(comp, comp.unknown_point()) for comp in self.components]
            todo = [(c, p) for c, p in todo if p is not None]
            if not todo:
                return
            if time.perf_counter() > deadline or len(self.runs) >= 12:
                for comp, _ in todo:
                    comp.unexplored_note()
                return
            comp, point = todo[0]
            hints = dict(self.base_hints)
            hints.update(point)
            r = run(self.model, self.spec, self.kwargs, hints, dispatcher=self.runs[0].dispatcher)
            if r.data_dependent is not None:
                raise data_dependent_error(r)
            self.runs.append(r)
            self._analyse()
            for c in self.components:
                c.evaluate()

    # -- per size ------------------------------------------------------------------------------
    def sizes(self, size) -> dict[str, int]:
        """A size given as a shape ('1x1x28x28'), a tuple of ints, or a dict of names."""
        if isinstance(size, dict):
            unknown = [k for k in size if k not in self.syms]
            if unknown:
                raise TensorsightError(
                    f"{', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not a size of the input; "
                    f"its names are {', '.join(self.names)}")
            out = {k: int(v) for k, v in size.items()}
            for n in self.names:
                if n not in out:
                    smallest = self.smallest() or {}
                    out[n] = smallest.get(n, self.base_hints.get(n, 1))
            return out
        spec = self._spec()
        if spec is None:
            raise TensorsightError("give the size as names, e.g. check(H=28, W=28), for a model with several inputs")
        dims = parse_shape(size).dims if isinstance(size, str) else tuple(size)
        if len(dims) != len(spec.dims):
            raise TensorsightError(
                f"{'x'.join(map(str, dims))} has {len(dims)} sizes but the input {_spec_text(self.spec)} has {len(spec.dims)}")
        out: dict[str, int] = {}
        for want, got in zip(spec.dims, dims):
            if isinstance(got, str):
                raise TensorsightError(f"give numbers to check, e.g. {'x'.join(str(d) if isinstance(d, int) else '28' for d in spec.dims)}")
            if isinstance(want, int):
                if want != got:
                    raise TensorsightError(
                        f"{'x'.join(map(str, dims))} does not fit {_spec_text(self.spec)}: a fixed size is {want}, not {got}")
            elif want in out and out[want] != got:
                raise TensorsightError(f"{want} is both {out[want]} and {got} in {'x'.join(map(str, dims))}")
            else:
                out[want] = int(got)
        return out

    def spec_text(self) -> str:
        text = _spec_text(self.spec) if self.spec is not None else ""
        if self.kwargs:
            kw = ", ".join(f"{k}={_spec_text(v)}" for k, v in self.kwargs.items())
            text = f"{text}, {kw}" if text else kw
        return text

    def _spec(self) -> ShapeSpec | None:
        from ..capture.inputs import as_spec, normalize_example
        items = normalize_example(self.spec)
        if len(items) == 1 and not self.kwargs:
            return as_spec(items[0])
        return None

    def shape_text(self, sizes: dict[str, int]) -> str:
        example, kwargs = _concrete(self.spec, self.kwargs, sizes)
        text = _spec_text(example)
        if kwargs:
            text = ", ".join([text] + [f"{k}={_spec_text(v)}" for k, v in kwargs.items()]) if text else \
                ", ".join(f"{k}={_spec_text(v)}" for k, v in kwargs.items())
        return text

    def label(self, sizes: dict[str, int]) -> tuple[bool | None, list[_Cond]]:
        """(valid?, conditions that fail) by the conditions; None when unexplored."""
        ok: bool | None = True
        failing: list[_Cond] = []
        for comp in self.components:
            v, f = comp.label({n: sizes[n] for n in comp.names})
            failing += f
            if v is False:
                ok = False
            elif v is None and ok is not False:
                ok = None
        return ok, failing

    def smallest(self) -> dict[str, int] | None:
        out = {}
        for comp in self.components:
            p = comp.smallest()
            if p is None:
                return None
            out.update(p)
        return out

    # -- the answer ----------------------------------------------------------------------------
    def solution(self) -> Solution:
        r0 = self.runs[0]
        trace = None
        info: SymbolicInfo | None = None
        try:
            trace, info = display_trace(r0)
        except Exception:  # noqa: BLE001 - the words below do not need the trace
            trace = None
        constraints: list[Constraint] = []
        sets: dict[str, SizeSet] = {}
        summary: list[str] = []
        separable = True
        ranges = {}
        simple: dict[str, str] = {}
        for comp in self.components:
            sets.update(comp.sets())
            if comp.separable() and comp.valid.any():
                simple.update({n: str(sets[n]) for n in comp.names})
            else:
                summary += comp.summary()
            separable = separable and comp.separable()
            constraints += comp.constraints(info)
            ranges.update(comp.ranges())
        summary = merge_names(simple) + summary
        notes = list(self.notes)
        if r0.error is not None:
            notes.append(f"the example sizes {self.shape_text(r0.hints)} fail: {r0.user_text(str(r0.error))}")
        return Solution(model=type(self.model).__name__ if hasattr(self.model, "forward") else str(self.model),
                        spec=self.spec_text(),
                        names=self.names, sets=sets, constraints=constraints, separable=separable,
                        summary=summary, smallest=self.smallest(), ranges=ranges, notes=notes,
                        trace=trace, runs=len(self.runs), _solver=self)

    def check(self, size) -> Check:
        from ..capture.fake import trace as fake_trace
        sizes = self.sizes(size)
        shape = self.shape_text(sizes)
        example, kwargs = _concrete(self.spec, self.kwargs, sizes)
        ok_cond, failing = self.label(sizes)
        try:
            fake_trace(self.model, example, kwargs=kwargs)
            works, ev, msg = True, None, ""
        except ForwardError as exc:
            works = False
            ev = exc.trace.events[-1] if exc.trace is not None and exc.trace.events else None
            msg = str(exc)
        violated = []
        for c in failing:
            text = self._cond_text(c)
            now = _side_values(c.expr, sizes)
            violated.append(f"{text} is false here{now}")
        chk = Check(size=sizes, shape=shape, ok=works, message=msg.split("\n")[0][:500], violated=violated)
        if ev is not None:
            chk.op, chk.module = ev.op, ev.module
            chk.where = _where(ev)
            chk.code = ev.where.code if ev.where else ""
        if not works:
            chk.nearest = [self.shape_text(p) for p in self.nearest(sizes)]
        if works and ok_cond is False:
            chk.note = "the conditions found symbolically say it should fail: " + "; ".join(violated)
        elif not works and ok_cond is True:
            chk.note = "the symbolic conditions did not predict this failure"
        return chk

    def _cond_text(self, c: _Cond) -> str:
        r = self.runs[c.run]
        try:
            info = display_trace(r)[1] if c.run else self._info0()
            return _cond_shown(info, c.expr)
        except Exception:  # noqa: BLE001
            return show(closed(c.expr))

    def _info0(self):
        if not hasattr(self, "_i0"):
            self._i0 = display_trace(self.runs[0])[1]
        return self._i0

    def nearest(self, sizes: dict[str, int], k: int = 3) -> list[dict[str, int]]:
        per = []
        for comp in self.components:
            per.append(comp.nearest({n: sizes[n] for n in comp.names}, k))
        if any(not p for p in per):
            return []
        combos = []
        for choice in itertools.product(*per):
            total = sum(d for d, _ in choice)
            merged = {}
            for _, p in choice:
                merged.update(p)
            combos.append((total, [merged.get(n, 0) for n in self.names], merged))
        combos.sort(key=lambda t: (t[0], t[1]))
        out = []
        for _, _, m in combos:
            if m not in out:
                out.append(m)
            if len(out) == k:
                break
        return out


def _where(ev) -> str:
    """'lenet.py:14', relative to the working directory when inside it."""
    from .symbolic_run import where_text
    return where_text(ev.where) if ev is not None else ""


def _side_values(expr, sizes) -> str:
    if not isinstance(expr, sympy.core.relational.Relational):
        return ""
    try:
        lhs, rhs = expr.args
        if rhs.is_number and not lhs.is_number:
            return f" ({show(closed(lhs))} = {value(lhs, sizes)})" if not lhs.is_Symbol else ""
        if lhs.is_number and not rhs.is_number:
            return f" ({show(closed(rhs))} = {value(rhs, sizes)})" if not rhs.is_Symbol else ""
        return f" ({value(lhs, sizes)} vs {value(rhs, sizes)})"
    except Exception:  # noqa: BLE001
        return ""


def _concrete(spec, kwargs, sizes):
    from .symbolic_run import concrete_example
    return concrete_example(spec, kwargs, sizes)


def _conjuncts(expr):
    if isinstance(expr, sympy.And):
        out = []
        for a in expr.args:
            out += _conjuncts(a)
        return out
    return [expr]


def _trivial(expr) -> bool:
    """Conditions that hold for every size: ``(k·q) mod q = 0`` and the like."""
    if expr is sympy.true:
        return True
    from torch.utils._sympy.functions import Mod, PythonMod
    if isinstance(expr, sympy.Eq):
        a, b = expr.args
        m = a if b == 0 else (b if a == 0 else None)
        if isinstance(m, (Mod, PythonMod)):
            p, q = m.args
            try:
                ratio = sympy.cancel(p / q)
            except Exception:  # noqa: BLE001
                return False
            num, den = sympy.fraction(ratio)
            return den.is_number and den != 0 and (num / den).is_integer is True
    return False


def _cond_shown(info, expr) -> str:
    """A condition shown with the trace's formulas (layer form where the sides are sizes of the trace)."""
    if isinstance(expr, sympy.core.relational.Relational):
        lhs, rhs = expr.args
        if lhs.is_number and not rhs.is_number:
            expr = expr.reversed
            lhs, rhs = expr.args
        a, b = _side(info, lhs), _side(info, rhs)
        return show(type(expr)(sympy.Symbol(a), sympy.Symbol(b), evaluate=False))
    return shown(info, expr) if info is not None else show(closed(expr))


def _side(info, e) -> str:
    if e.is_number:
        return show(e)
    if info is not None:
        return shown(info, e)
    return show(closed(e))


# -- one group of sizes that share conditions ----------------------------------------------------------
class _Component:
    def __init__(self, solver: _Solver, names: list[str]):
        self.s = solver
        self.names = names
        self.syms = [solver.syms[n] for n in names]
        self.conds = [c for c in solver.conds if c.symbols & set(names)]
        lo, hi = solver.lo, solver.hi
        k = len(names)
        if k == 1:
            self.his = [hi]
        else:
            batch = [n in _batch_names() for n in names]
            nb = sum(batch)
            rest = k - nb
            bmax = min(hi, BATCH_MAX) if rest else hi
            budget = GRID_POINTS / (max(bmax - lo + 1, 1) ** nb)
            per = int(budget ** (1 / rest)) if rest else hi
            self.his = [bmax if b else max(lo, min(hi, lo + per - 1)) for b in batch]
        check_grid({n: h - lo + 1 for n, h in zip(names, self.his)}, lo, hi)
        self.lo = lo
        self.valid = None
        self.covered = None
        self.reason = None  # index into self.failing_conds of the first failing condition, -1 if none
        self._ordered: list[_Cond] = []

    def ranges(self) -> dict[str, tuple[int, int]]:
        return {n: (self.lo, h) for n, h in zip(self.names, self.his)}

    def _grid(self):
        import numpy as np
        k = len(self.names)
        env = {}
        for i, (sym, h) in enumerate(zip(self.syms, self.his)):
            shape = [1] * k
            shape[i] = h - self.lo + 1
            env[sym] = np.arange(self.lo, h + 1, dtype=np.int64).reshape(shape)
        return env, tuple(h - self.lo + 1 for h in self.his)

    def _eval(self, expr, env, shape, memo):
        import numpy as np
        try:
            v = evaluate(expr, env, memo)
        except Unsupported:
            v = _slow_eval(expr, self.syms, self.lo, self.his)
        return np.broadcast_to(np.asarray(v, dtype=bool), shape)

    def evaluate(self) -> None:
        """Label every size of the grid: valid, invalid (with the first failing condition) or unexplored."""
        import numpy as np
        env, shape = self._grid()
        runs = self.s.runs
        covered = np.zeros(shape, dtype=bool)
        valid = np.zeros(shape, dtype=bool)
        reason = np.full(shape, -1, dtype=np.int32)
        ordered: list[_Cond] = []
        memo: dict = {}
        for ri, r in enumerate(runs):
            mine = [c for c in self.conds if c.run == ri]
            path = np.ones(shape, dtype=bool)
            for c in mine:
                if c.kind == "path":
                    path &= self._eval(c.expr, env, shape, memo)
            new = path & ~covered
            if not new.any():
                continue
            ok = np.ones(shape, dtype=bool)
            checks = sorted((c for c in mine if c.kind == "check"),
                            key=lambda c: (-1 if c.event is None else c.event))
            for c in checks:
                holds = self._eval(c.expr, env, shape, memo)
                fails_here = new & ok & ~holds
                if fails_here.any():
                    ordered.append(c)
                    reason[fails_here] = len(ordered) - 1
                ok &= holds
            if r.error is not None:
                err = _Cond(sympy.false, "error", ri, r.trace.events[-1].index if r.trace.events else None,
                            frozenset(self.names), r.user_text(str(r.error)))
                fails_here = new & ok
                if fails_here.any():
                    ordered.append(err)
                    reason[fails_here] = len(ordered) - 1
                ok[:] = False
            valid |= new & ok
            covered |= new
        self.valid, self.covered, self.reason, self._ordered = valid, covered, reason, ordered

    def _when(self, ri: int, env, shape, memo) -> str:
        """The branch run ``ri`` took, in words ('' when it is the only one)."""
        if len(self.s.runs) == 1:
            return ""
        parts = []
        for c in self.conds:
            if c.run == ri and c.kind == "path" and not self._eval(c.expr, env, shape, memo).all():
                t = show(closed(c.expr))
                if t not in parts:
                    parts.append(t)
        return " and ".join(parts)

    def _region(self, ri: int, env, shape, memo):
        """The sizes run ``ri`` speaks for (its path conditions hold, no earlier run's do)."""
        import numpy as np
        out = np.ones(shape, dtype=bool)
        for c in self.conds:
            if c.run == ri and c.kind == "path":
                out &= self._eval(c.expr, env, shape, memo)
        return out & self.covered

    def unknown_point(self) -> dict[str, int] | None:
        import numpy as np
        todo = ~self.covered
        if not todo.any():
            return None
        # prefer sizes that the first run's checks admit: that is where answers change
        env, shape = self._grid()
        memo: dict = {}
        ok = np.ones(shape, dtype=bool)
        for c in self.conds:
            if c.run == 0 and c.kind == "check":
                ok &= self._eval(c.expr, env, shape, memo)
        pick = todo & ok
        if not pick.any():
            pick = todo
        idx = np.argwhere(pick)
        sums = idx.sum(axis=1)
        best = idx[np.argmin(sums)]
        return {n: int(self.lo + i) for n, i in zip(self.names, best)}

    def unexplored_note(self) -> None:
        import numpy as np
        n = int((~self.covered).sum())
        paths = [c for c in self.conds if c.kind == "path"]
        why = ""
        if paths:
            c = paths[0]
            r = self.s.runs[c.run]
            ev = r.trace.events[c.event] if c.event is not None and c.event < len(r.trace.events) else None
            where = f" at {_where(ev)}" if ev is not None and ev.where else ""
            op = f"{ev.op}{where}" if ev is not None else "the code"
            lhs, rhs = (c.expr.args if isinstance(c.expr, sympy.Eq) else (None, None))
            if lhs is not None and lhs.is_Symbol and rhs.is_Integer:
                why = f": {op} turns {lhs} into the plain number {rhs}"
            else:
                why = f": {op} branches on {show(closed(c.expr))}"
        self.s.notes.append(f"{n} size{'s' if n != 1 else ''} of {', '.join(self.names)} not explored{why} "
                            f"(counted as failing)")
        _ = np

    def _index(self, sizes: dict[str, int]):
        idx = []
        for n, h in zip(self.names, self.his):
            v = sizes[n]
            if v < self.lo or v > h:
                return None
            idx.append(v - self.lo)
        return tuple(idx)

    def label(self, sizes: dict[str, int]):
        idx = self._index(sizes)
        if idx is None:
            return self._label_outside(sizes)
        if not self.covered[idx]:
            return None, []
        if self.valid[idx]:
            return True, []
        i = int(self.reason[idx])
        return False, ([self._ordered[i]] if i >= 0 else [])

    def _label_outside(self, sizes):
        """A size beyond the searched range: the first run's conditions, one by one."""
        env = {user_symbol(n): v for n, v in sizes.items()}
        for c in sorted(self.conds, key=lambda c: (-1 if c.event is None else c.event)):
            if c.run != 0 or c.kind != "check":
                continue
            try:
                holds = bool(evaluate(c.expr, env, {}))
            except Unsupported:
                holds = bool(value(c.expr, sizes))
            if not holds:
                return False, [c]
        return True, []

    def _coords(self):
        env, _ = self._grid()
        return [env[sym] - self.lo for sym in self.syms]

    def smallest(self) -> dict[str, int] | None:
        """The valid sizes with the smallest sum (then the smallest first name...)."""
        import numpy as np
        if not self.valid.any():
            return None
        total = sum(self._coords())
        big = np.iinfo(np.int64).max
        best = np.where(self.valid, total, big).min()
        idx = np.argwhere(self.valid & (total == best))
        first = idx[np.lexsort(tuple(idx[:, i] for i in reversed(range(idx.shape[1]))))[0]]
        return {n: int(self.lo + i) for n, i in zip(self.names, first)}

    def nearest(self, sizes: dict[str, int], k: int) -> list[tuple[int, dict[str, int]]]:
        """The ``k`` valid sizes nearest to ``sizes`` (sum of differences; ties: smaller first)."""
        import numpy as np
        if not self.valid.any():
            return []
        coords = self._coords()
        dist = sum(np.abs(c - (sizes[n] - self.lo)) for c, n in zip(coords, self.names))
        total = sum(coords)
        n_all = int(np.prod(self.valid.shape))
        # distance first, then the smaller sizes: one number to sort by
        key = np.where(self.valid, dist.astype(np.int64) * (4 * n_all + 1) + total, np.iinfo(np.int64).max)
        key = np.broadcast_to(key, self.valid.shape).ravel()
        take = min(k, int(self.valid.sum()))
        part = np.argpartition(key, take - 1)[:take] if take < key.size else np.arange(key.size)
        part = part[np.argsort(key[part])]
        out = []
        for flat in part[:take]:
            idx = np.unravel_index(flat, self.valid.shape)
            d = int(np.broadcast_to(dist, self.valid.shape)[idx])
            out.append((d, {n: int(self.lo + int(j)) for n, j in zip(self.names, idx)}))
        return out

    def _projections(self):
        k = len(self.names)
        return [self.valid.any(axis=tuple(j for j in range(k) if j != i)) if k > 1 else self.valid
                for i in range(k)]

    def separable(self) -> bool:
        import numpy as np
        if len(self.names) == 1:
            return True
        proj = self._projections()
        box = proj[0]
        for p in proj[1:]:
            box = np.multiply.outer(box, p)
        return bool(np.array_equal(box, self.valid))

    def sets(self) -> dict[str, SizeSet]:
        return {n: size_set(n, p, self.lo) for n, p in zip(self.names, self._projections())}

    def summary(self) -> list[str]:
        import numpy as np
        proj = self._projections()
        texts = {n: describe(n, p, self.lo) for n, p in zip(self.names, proj)}
        if not self.valid.any():
            return [f"no {', '.join(self.names)} in the searched range works"]
        if self.separable():
            return merge_names(texts)
        out = merge_names(texts)
        # the box of the projections minus what fails inside it
        box = proj[0]
        for p in proj[1:]:
            box = np.multiply.outer(box, p)
        bad = box & ~self.valid
        bproj = [bad.any(axis=tuple(j for j in range(bad.ndim) if j != i)) for i in range(bad.ndim)]
        bbox = bproj[0]
        for p in bproj[1:]:
            bbox = np.multiply.outer(bbox, p)
        if np.array_equal(bbox, bad):
            parts = [describe(n, p, self.lo) for n, p in zip(self.names, bproj)]
            out.append("except when " + " and ".join(parts))
            return out
        pts = np.argwhere(self.valid) if self.valid.sum() <= 8 else ()
        if len(pts):
            tup = ", ".join("(" + ", ".join(str(self.lo + int(v)) for v in p) + ")" for p in pts)
            return [f"({', '.join(self.names)}) ∈ {{{tup}}}"]
        if len(self.names) == 2:
            rows = _rows(self.names, self.valid, self.lo)
            if rows is not None:
                out = [f"{int(self.valid.sum())} pairs ({', '.join(self.names)}):"] + rows
                h = min(self.valid.shape)
                diag = self.valid[np.arange(h), np.arange(h)]
                if diag.any():
                    out.append(f"square ({self.names[0]} = {self.names[1]}): "
                               + describe(self.names[0], diag, self.lo))
                return out
        out.append(f"but not every combination: {int(self.valid.sum())} of {int(box.sum())} work "
                   f"(use check() for one size)")
        return out

    def constraints(self, info) -> list[Constraint]:
        import numpy as np
        env, shape = self._grid()
        memo: dict = {}
        out: list[Constraint] = []
        seen = set()
        cands = [c for c in self.conds if c.kind == "check"]
        cands += [c for c in self._ordered if c.kind == "error"]
        # first-run conditions first, in the order the ops asked
        cands.sort(key=lambda c: (c.run, -1 if c.event is None else c.event))
        holds_all = {}
        for c in cands:
            if c.kind == "error":
                continue
            holds_all[id(c)] = self._eval(c.expr, env, shape, memo)
        # a condition binds when some size fails it and nothing else (of its run, on its path)
        fails_by_run: dict[int, Any] = {}
        for c in cands:
            if c.kind == "check" and c.origin != "input":
                f = ~holds_all[id(c)]
                fails_by_run[c.run] = fails_by_run.get(c.run, 0) + f.astype(np.int32)
        for c in cands:
            key = (c.expr, c.kind, c.message if c.kind == "error" else "")
            if key in seen:
                continue
            seen.add(key)
            r = self.s.runs[c.run]
            ev = r.trace.events[c.event] if c.event is not None and c.event < len(r.trace.events) else None
            if c.kind == "error":
                region = self.reason == self._ordered.index(c)
                text = f"for {_region_text(self, region)}" if region.any() else ""
                out.append(Constraint(text=text, meaning="", kind="error", when=self._when(c.run, env, shape, memo),
                                      op=ev.op if ev else "", module=ev.module if ev else "",
                                      where=_where(ev),
                                      symbols=tuple(self.names), binding=True, message=c.message,
                                      expr=None))
                continue
            if c.origin == "input":
                continue  # 'size ≥ 1' from the input itself
            holds = holds_all[id(c)]
            region = self._region(c.run, env, shape, memo)
            binding = bool((region & ~holds & (fails_by_run[c.run] == 1)).any())
            if c.run != 0 and not binding:
                continue
            text = _cond_shown(info if c.run == 0 else None, c.expr)
            meaning = _meaning(self, c, holds)
            out.append(Constraint(text=text, meaning=meaning, kind=_kind(c.expr), when=self._when(c.run, env, shape, memo),
                                  op=ev.op if ev else "", module=ev.module if ev else "",
                                  where=_where(ev),
                                  symbols=tuple(sorted(c.symbols, key=self.names.index)),
                                  binding=binding, message=c.message if "propagate" not in c.message else "",
                                  expr=c.expr))
        return out


def _rows(names, valid, lo, most: int = 12) -> list[str] | None:
    """A 2-d set as lines 'H ∈ 30..33 → W ∈ 30..33' (runs of H with the same W set)."""
    import numpy as np
    lines = []
    i, n = 0, valid.shape[0]
    while i < n:
        if not valid[i].any():
            i += 1
            continue
        j = i
        while j + 1 < n and np.array_equal(valid[j + 1], valid[i]):
            j += 1
        head = np.zeros(n, dtype=bool)
        head[i:j + 1] = True
        lines.append(f"  {describe(names[0], head, lo)}  →  {describe(names[1], valid[i], lo)}")
        if len(lines) > most:
            return None
        i = j + 1
    return lines


def _batch_names():
    from .symbolic_run import BATCH_NAMES
    return BATCH_NAMES


def _kind(expr) -> str:
    from torch.utils._sympy.functions import Mod, PythonMod
    if isinstance(expr, sympy.Eq):
        if any(isinstance(a, (Mod, PythonMod)) for a in expr.args):
            return "divisibility"
        return "equality"
    if isinstance(expr, sympy.Ne):
        return "exclusion"
    if isinstance(expr, (sympy.Ge, sympy.Gt, sympy.Le, sympy.Lt)):
        return "minimum"
    return "condition"


def _meaning(comp: _Component, c: _Cond, holds) -> str:
    """The condition's own solution set, in words, over the names it involves."""
    import numpy as np
    names = [n for n in comp.names if n in c.symbols]
    axes = [comp.names.index(n) for n in names]
    other = tuple(i for i in range(holds.ndim) if i not in axes)
    # its truth does not depend on the other names: take any slice
    sub = holds[tuple(slice(None) if i in axes else 0 for i in range(holds.ndim))] if other else holds
    if not sub.any():
        return "never holds"
    if sub.all():
        return "always holds"
    if len(names) == 1:
        return describe(names[0], sub, comp.lo)
    proj = [sub.any(axis=tuple(j for j in range(sub.ndim) if j != i)) for i in range(sub.ndim)]
    box = proj[0]
    for p in proj[1:]:
        box = np.multiply.outer(box, p)
    if np.array_equal(box, sub):
        return "; ".join(merge_names({n: describe(n, p, comp.lo) for n, p in zip(names, proj)}))
    if len(names) == 2 and sub.sum() <= sub.size // 4:
        h = min(sub.shape)
        diag = sub[np.arange(h), np.arange(h)]
        text = f"{int(sub.sum())} pairs ({', '.join(names)})"
        if diag.any():
            text += f"; square ({names[0]} = {names[1]}): {describe(names[0], diag, comp.lo)}"
        return text
    bad = ~sub
    if isinstance(c.expr, sympy.Ne) or bad.sum() * 20 < sub.size:
        bproj = [bad.any(axis=tuple(j for j in range(bad.ndim) if j != i)) for i in range(bad.ndim)]
        bbox = bproj[0]
        for p in bproj[1:]:
            bbox = np.multiply.outer(bbox, p)
        if np.array_equal(bbox, bad):
            return "fails only when " + " and ".join(describe(n, p, comp.lo) for n, p in zip(names, bproj))
    pts = np.argwhere(sub) if sub.sum() <= 8 else ()
    if len(pts):
        return f"({', '.join(names)}) ∈ {{" + ", ".join(
            "(" + ", ".join(str(comp.lo + int(v)) for v in p) + ")" for p in pts) + "}"
    return f"holds for {int(sub.sum())} of {sub.size} ({', '.join(names)})"


def _region_text(comp: _Component, region) -> str:
    proj = [region.any(axis=tuple(j for j in range(region.ndim) if j != i)) if region.ndim > 1 else region
            for i in range(region.ndim)]
    return " and ".join(describe(n, p, comp.lo) for n, p in zip(comp.names, proj))


def _slow_eval(expr, syms, lo, his):
    """Point by point, for formulas the vectorised evaluator does not know."""
    import numpy as np
    shape = tuple(h - lo + 1 for h in his)
    out = np.zeros(shape, dtype=bool)
    for idx in np.ndindex(*shape):
        sub = {s: sympy.Integer(lo + i) for s, i in zip(syms, idx)}
        out[idx] = bool(inert(expr.xreplace(sub)))
    return out
