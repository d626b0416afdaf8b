"""Which operand of a concatenation a slice reads.

``torch.cat([xy, wh, conf, cls], dim=-1)[..., 4:5]`` holds ``conf``'s values and nothing else: a
detection or multi-task head packs differently-made outputs (raw offsets, sigmoid scores,
softmax classes) side by side, and the loss reads them back by slicing. Looking through such a
slice to the operand it covers lets every value-provenance check (probabilities fed to a logits
loss, which op made a loss's input) see the op that made those values, and tells apart the
readers of a packed tensor that never touch a given operand (``out[..., 0:4]`` does not read
``conf``).
"""
from __future__ import annotations

from ...analysis.explain import norm_dim
from ...capture.events import OpEvent, TensorMeta, TensorRef, Trace
from .common import _short

CATS = {"cat", "concat", "concatenate"}


def index_items(index, rank: int) -> list | None:
    """A ``__getitem__`` index as one int or slice per input dim (``...`` and the implicit
    trailing ``:`` spelt out); None for tensors, lists, new axes or a rank it does not fit."""
    parts = list(index) if isinstance(index, tuple) else [index]
    if any(p is None or isinstance(p, (TensorRef, list)) for p in parts) or parts.count("...") > 1:
        return None
    if "..." in parts:
        at = parts.index("...")
        parts = parts[:at] + [slice(None)] * (rank - len(parts) + 1) + parts[at + 1:]
    parts += [slice(None)] * (rank - len(parts))
    if len(parts) != rank or not all(isinstance(p, slice) or type(p) is int for p in parts):
        return None
    return parts


def slice_range(ev: OpEvent) -> tuple[int, int, int] | None:
    """(dim, lo, hi): the one axis a ``__getitem__`` narrows, as a step-1 range of the input's
    axis; None for any other index (tensors, several narrowed axes, new axes, strides)."""
    if _short(ev) != "__getitem__" or len(ev.args) < 2 or not ev.inputs:
        return None
    shape = ev.inputs[0].shape
    parts = index_items(ev.args[1], len(shape))
    if parts is None:
        return None
    dims = range(len(parts))
    found = None
    for d, p in zip(dims, parts):
        if d >= len(shape) or type(shape[d]) is not int:
            return None
        size = shape[d]
        if isinstance(p, slice):
            if not all(v is None or type(v) is int for v in (p.start, p.stop, p.step)):
                return None
            lo, hi, step = p.indices(size)
            if step != 1:
                return None
            if (lo, hi) == (0, size):
                continue
            rng = (d, lo, max(lo, hi))
        elif type(p) is int:
            if not -size <= p < size:
                return None
            i = p % size
            rng = (d, i, i + 1)
        else:
            return None
        if found is not None:
            return None
        found = rng
    return found


def cat_spans(ev: OpEvent) -> tuple[int, list[tuple[int, int, int]]] | None:
    """(dim, [(input index, lo, hi), ...]): where each operand of a cat lies along its axis."""
    if _short(ev) not in CATS or not ev.args:
        return None
    operands = ev.args[0]
    if not isinstance(operands, (list, tuple)) or not ev.outputs:
        return None
    dim = norm_dim(ev.arg(1, "dim", 0), len(ev.outputs[0].shape))
    if dim is None:
        return None
    spans, at = [], 0
    for ref in operands:
        if not isinstance(ref, TensorRef):
            return None
        shape = ev.inputs[ref.index].shape
        if len(shape) <= dim or type(shape[dim]) is not int:
            return None  # an empty 1-d tensor in the list, or a symbolic size
        spans.append((ref.index, at, at + shape[dim]))
        at += shape[dim]
    return dim, spans


def covered_operand(trace: Trace, ev: OpEvent) -> TensorMeta | None:
    """The cat operand whose values a ``__getitem__`` reads, when its range lies inside one."""
    rng = slice_range(ev)
    if rng is None or ev.inputs[0].producer is None:
        return None
    cat = trace.events[ev.inputs[0].producer]
    spans = cat_spans(cat)
    if spans is None or spans[0] != rng[0]:
        return None
    _, lo, hi = rng
    for index, a, b in spans[1]:
        if a <= lo and hi <= b and hi > lo:
            return cat.inputs[index]
    return None


def operand_span(ev: OpEvent, producer_index: int) -> tuple[int, int, int] | None:
    """(dim, lo, hi) that the tensor made by event ``producer_index`` fills in cat ``ev``'s output
    (None when it is not a cat, or the tensor appears more than once)."""
    spans = cat_spans(ev)
    if spans is None:
        return None
    dim, parts = spans
    hits = [(a, b) for index, a, b in parts if ev.inputs[index].producer == producer_index]
    if len(hits) != 1:
        return None
    return dim, hits[0][0], hits[0][1]


def misses(ev: OpEvent, span: tuple[int, int, int]) -> bool:
    """A ``__getitem__`` that reads nothing of ``span`` (dim, lo, hi) of its input."""
    rng = slice_range(ev)
    if rng is None or rng[0] != span[0]:
        return False
    return rng[2] <= span[1] or rng[1] >= span[2]


def packed_path(trace: Trace, meta: TensorMeta) -> tuple[OpEvent, OpEvent] | None:
    """(the cat, the slice) when ``meta`` was read back out of a concatenation."""
    if meta.producer is None:
        return None
    ev = trace.events[meta.producer]
    if covered_operand(trace, ev) is None:
        return None
    return trace.events[ev.inputs[0].producer], ev
