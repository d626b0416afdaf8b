"""Why each output has the shape it has: the arithmetic behind one OpEvent, numbers filled in.

``explain_shape(event)`` returns an :class:`Explanation` (plain data: a one-line summary and
one :class:`DimWhy` per explained output axis) or ``None`` for ops it has nothing to say about
(elementwise ops that keep the shape, ops it does not know). Rendering is left to the caller;
``Explanation.lines()`` gives ready-to-print text.

The op-specific arithmetic lives in sibling modules, loaded on first use:
``explain_window`` (conv, transposed conv, pooling), ``explain_resample`` (interpolate, pad,
unfold, pixel_shuffle), ``explain_layout`` (view/reshape/flatten, squeeze, permute, cat/stack),
``explain_select`` (indexing, chunk/split, reductions, repeat/expand) and ``explain_linalg``
(linear, matmul/bmm/einsum, embedding, RNN/LSTM/GRU, attention, broadcasting).

Every explanation is checked against the sizes the recorder saw; one that disagrees is dropped
(returns ``None``) rather than shown, and no input, however odd, makes ``explain_shape`` raise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..capture.events import OpEvent, TensorMeta, Trace

#: the note of an output axis that is the same as in the input; ``lines()`` groups those
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class DimWhy:
    """Why one output axis has its size."""
    axis: int            # output axis
    label: str           # 'H', 'W', 'L', 'D', 'C', 'N', 'features', 'rows', 'dim 1', ...
    size: int | str      # the output size
    formula: str         # with the numbers filled in: '⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30'
    note: str = ""       # plain words: 'a 3×3 kernel without padding loses 1 on each side'
    output: int = 0      # which output of the op (h_n of an LSTM is output 1)


@dataclass(frozen=True)
class Explanation:
    """The arithmetic of one op: a summary line and the reason for each explained axis."""
    op: str
    summary: str         # 'conv 3×3, stride 1, padding 0: 1×32×32 → 6×30×30'
    dims: tuple[DimWhy, ...] = ()

    def lines(self) -> list[str]:
        """Ready-to-print lines: the summary, the unchanged axes on one line, then one per axis."""
        out = [self.summary]
        kept = [d for d in self.dims if d.note == UNCHANGED]
        if kept:
            out.append("  unchanged: " + ", ".join(f"{d.label} = {d.size}" for d in kept))
        for d in self.dims:
            if d.note == UNCHANGED:
                continue
            text = f"  {d.label}: {d.formula}"
            if d.note:
                text += f" — {d.note}"
            out.append(text)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


Handler = Callable[[OpEvent, "Trace | None"], "Explanation | None"]

_FULL: dict[str, Handler] = {}    # exact op name -> handler
_SHORT: dict[str, Handler] = {}   # short name (any prefix) -> handler, e.g. 'lstm'
_ON_ERROR: set[Handler] = set()   # handlers whose arithmetic also explains a failed op
_MODULE_TYPES: dict[str, Handler] = {}  # module_type -> handler for its recurrent kernel
_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    from . import (explain_layout, explain_linalg, explain_resample, explain_select,
                   explain_window)
    for mod in (explain_window, explain_resample, explain_layout, explain_select, explain_linalg):
        _FULL.update(mod.FULL)
        _SHORT.update(getattr(mod, "SHORT", {}))
        _ON_ERROR.update(getattr(mod, "ON_ERROR", ()))
        _MODULE_TYPES.update(getattr(mod, "MODULE_TYPES", {}))
    _loaded = True


def handler_for(event: OpEvent) -> Handler | None:
    _load()
    h = _FULL.get(event.op)
    if h is not None:
        return h
    short = event.op.rsplit(".", 1)[-1]
    h = _SHORT.get(short)
    if h is not None:
        return h
    h = _MODULE_TYPES.get(event.module_type)
    if h is not None and any(k in short.lower() for k in ("lstm", "gru", "rnn")):
        return h
    return None


def explain_shape(event: OpEvent, trace: Trace | None = None) -> Explanation | None:
    """Why ``event``'s output has its shape; ``None`` when there is nothing to explain.

    Never raises. For a failed event (``event.error``) only the sliding-window ops (conv,
    pooling) are explained, since their formula is what shows why the output would be empty.
    """
    try:
        h = handler_for(event)
        if h is None or (event.error and h not in _ON_ERROR):
            return None
        ex = h(event, trace)
        if ex is None or not _consistent(ex, event):
            return None
        return ex
    except Exception:  # noqa: BLE001 - an explanation is an extra: never break the caller
        return None


def explain_trace(trace: Trace) -> dict[int, Explanation]:
    """Event index -> explanation, for every event that has one."""
    out: dict[int, Explanation] = {}
    for e in trace.events:
        ex = explain_shape(e, trace)
        if ex is not None:
            out[e.index] = ex
    return out


def explain_view_failure(input_shape, requested) -> str:
    """The arithmetic of why ``view``/``reshape`` to ``requested`` fails ('' if it would work).

    ``explain_view_failure((16, 6, 10, 10), (16, 400))`` →
    ``"shape '[16, 400]' is invalid for input of size 9600: 16·400 = 6400 ≠ 9600 = 16 × 600"``
    """
    from .explain_layout import view_failure
    return view_failure(input_shape, requested)


def _consistent(ex: Explanation, event: OpEvent) -> bool:
    """Every explained int size must be the size the recorder saw."""
    if not event.outputs:
        return True  # a failed op: nothing to compare with
    for d in ex.dims:
        if d.output >= len(event.outputs):
            return False
        shape = event.outputs[d.output].shape
        if not 0 <= d.axis < len(shape):
            return False
        real = shape[d.axis]
        if isinstance(real, int) and isinstance(d.size, int) and real != d.size:
            return False
        if isinstance(real, int) and not isinstance(d.size, int):
            return False
    return True


# -- helpers shared by the op modules ---------------------------------------------------------

def tensor(e: OpEvent, position: int, name: str) -> TensorMeta | None:
    v = e.resolve(e.arg(position, name))
    return v if isinstance(v, TensorMeta) else None


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def ints(value, n: int) -> tuple | None:
    """``2`` or ``(2, 2)`` → a tuple of ``n`` values (ints, or strings for symbolic sizes)."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1 and n > 1:
            value = tuple(value) * n
        if len(value) != n:
            return None
        return tuple(value)
    if is_int(value) or isinstance(value, str):
        return (value,) * n
    return None


def prod(values: Iterable) -> int | None:
    p = 1
    for v in values:
        if not is_int(v):
            return None
        p *= v
    return p


def dot(values: Iterable) -> str:
    """``16·6·6``."""
    return "·".join(str(v) for v in values)


def shp(shape) -> str:
    """``[1,576]``."""
    return "[" + ",".join(str(d) for d in shape) + "]"


def term(v) -> str:
    """A size inside a bigger expression: symbolic ones with operators get parentheses."""
    text = str(v)
    return f"({text})" if isinstance(v, str) and " " in text else text


def times(shape) -> str:
    """``6×30×30`` (``scalar`` for ``()``); symbolic sizes in parentheses: ``6×(H − 2)``."""
    return "×".join(term(d) for d in shape) if len(shape) else "scalar"


def out_shape(e: OpEvent, k: int = 0) -> tuple | None:
    return tuple(e.outputs[k].shape) if len(e.outputs) > k else None


def kept(axis: int, label: str, size, output: int = 0) -> DimWhy:
    return DimWhy(axis, label, size, str(size), UNCHANGED, output)


def norm_dim(d, ndim: int) -> int | None:
    if not is_int(d):
        return None
    if d < 0:
        d += ndim
    return d if 0 <= d < max(ndim, 1) else None


def generic_labels(ndim: int) -> list[str]:
    return [f"dim {i}" for i in range(ndim)]


def num(x) -> str:
    """A number as people write it: 2.5, 2, −1 with a real minus sign."""
    if isinstance(x, float):
        text = f"{x:g}" if x != int(x) else str(int(x))
    else:
        text = str(x)
    return text.replace("-", "−") if text.startswith("-") else text


def register(table: dict, names: Iterable[str], handler: Handler) -> None:
    for n in names:
        table[n] = handler


def both(*short: str) -> list[str]:
    """``torch.X`` and ``Tensor.X`` for each name."""
    return [f"{p}.{s}" for s in short for p in ("torch", "Tensor")]
