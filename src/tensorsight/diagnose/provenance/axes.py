"""Axis provenance: what each axis of each tensor in a Trace *is*.

The model. An axis is an ordered tuple of *atoms* in memory order (outermost first); an atom is
a piece of one original axis of the data — ``(role, size)`` plus the id of the axis it was cut
from and where in that axis' index it sits (``stride``, as in a mixed-radix digit). Roles are
``batch``, ``channel``, ``time``, ``height``/``width``/``depth``, ``feature``, ``class``,
``head``, ``patch``, ``embedding``, ``vocab``, ``layer``, ``new`` (an axis made on purpose for
broadcasting: ``None``, ``unsqueeze``), ``reduced`` (``keepdim``), ``weight`` and ``?``.

- Seeds: the DataLoader's collate (``torch.stack`` of a batch's samples) and the input of the
  model (dim 0, or the dim a batch was sliced along) are the batch; layers create the axes they
  make (a conv's output channels, a Linear's features, an embedding's vectors) and name the axes
  they read (a conv's input dim 1 is channels, an RNN's dims are time/batch by ``batch_first``).
  A role learnt from a consumer is given to the whole original axis, so the DataLoader's dim 1
  is ``time`` because an LSTM read it as time.
- A view/reshape reads its input's atoms in memory order and cuts them into the new sizes. A
  merge concatenates atoms; a split that falls inside an atom cuts it into two digits. A new
  axis whose boundary falls between two digits of an atom that do not divide (a row straddling
  two samples), or that puts the inner digit of one axis in front of another axis (channels and
  time interleaved, heads merged without a transpose), is *mixed*.
- ``axes_of(trace)`` computes it once; ``AxisMap.roles(e, k)`` gives output ``k`` of event
  ``e``; ``provenance_text`` says where an axis came from.

The silent checks (diagnose/provenance/silent.py) compare these roles with what each consumer expects
(provenance_ops.EXPECT) and report where they disagree.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field, replace

from ...capture.events import OpEvent, TensorMeta, Trace
from ...shapes import fmt_shape

UNKNOWN = "?"
# roles a consumer may overwrite: they say nothing about the data
WEAK = {UNKNOWN, "new", "reduced", "unit"}


@dataclass(frozen=True)
class Atom:
    role: str
    size: int
    uid: int = 0      # the original axis it was cut from
    total: int = 0    # that axis' size
    stride: int = 1   # which digit of that axis' index this atom is

    @property
    def whole(self) -> bool:
        return self.size == self.total

    @property
    def outer(self) -> bool:
        return self.stride * self.size == self.total

    @property
    def inner(self) -> bool:
        return self.stride == 1


@dataclass(frozen=True)
class Axis:
    """One axis: its atoms in memory order, and whether a view mixed them."""
    parts: tuple[Atom, ...] = ()
    mixed: bool = False
    why: str = ""     # 'straddle' | 'interleave' | 'batch-regrouped' | 'grouped-samples' | ''
    n: int = 0        # the axis' size where the atoms do not multiply to it (a straddling view)

    @property
    def atoms(self) -> tuple[tuple[str, int], ...]:
        return tuple((p.role, p.size) for p in self.parts)

    @property
    def size(self) -> int:
        if self.n:
            return self.n
        n = 1
        for p in self.parts:
            n *= p.size
        return n

    @property
    def role(self) -> str:
        if self.mixed:
            return "mixed"
        roles = [r for r in dict.fromkeys(p.role for p in self.parts if p.size != 1)]
        if not roles:
            return self.parts[0].role if self.parts else "unit"
        return roles[0] if len(roles) == 1 else "·".join(roles)

    @property
    def has_batch(self) -> bool:
        return any(p.role == "batch" and p.size > 1 for p in self.parts)

    @property
    def uids(self) -> set[int]:
        return {p.uid for p in self.parts}


@dataclass
class Origin:
    """Where an original axis was born: the event, its output and dim, and in words."""
    event: int | None
    output: int
    dim: int
    note: str


@dataclass
class AxisMap:
    trace: Trace
    out_axes: dict = field(default_factory=dict)     # (event, output) -> tuple[Axis, ...]
    in_axes: dict = field(default_factory=dict)      # (event, input) -> tuple[Axis, ...]
    role_of: dict = field(default_factory=dict)      # uid -> role learnt later
    origins: dict = field(default_factory=dict)      # uid -> Origin
    batch_sizes: set = field(default_factory=set)    # the DataLoaders' batch sizes (> 1)
    loader_sizes: set = field(default_factory=set)   # …and their last, partial batches
    model_batch: set = field(default_factory=set)    # dim 0 sizes of the model's inputs
    strong: set = field(default_factory=set)         # uids a DataLoader says are the batch
    guessed: set = field(default_factory=set)        # uids taken for the batch on no evidence
    sliced: set = field(default_factory=set)         # uids of axes cut by data[i:j] outside the model
    external: dict = field(default_factory=dict)     # (shape, dtype, role) -> axes of a tensor not made by an op
    pieces: set = field(default_factory=set)         # uids of the piece index of a cat of k equal batches
    input_dims: dict = field(default_factory=dict)   # (module path, input, rank) -> batch dim a DataLoader showed
    _next: itertools.count = field(default_factory=lambda: itertools.count(1))

    # -- public queries ------------------------------------------------------------------------
    def roles(self, event_index: int, output_index: int = 0) -> tuple[Axis, ...]:
        return self._resolve(self.out_axes.get((event_index, output_index), ()))

    def input_roles(self, event_index: int, input_index: int) -> tuple[Axis, ...]:
        return self._resolve(self.in_axes.get((event_index, input_index), ()))

    def role_names(self, event_index: int, output_index: int = 0) -> tuple[str, ...]:
        return tuple(a.role for a in self.roles(event_index, output_index))

    # -- building ------------------------------------------------------------------------------
    def atom(self, role: str, size, event: int | None, output: int, dim: int, note: str = "") -> Atom:
        uid = next(self._next)
        n = size if isinstance(size, int) else -1
        self.origins[uid] = Origin(event, output, dim, note)
        return Atom(role, n, uid, n, 1)

    def fresh(self, role: str, size, event: int | None, output: int, dim: int, note: str = "") -> Axis:
        if size == 1 and role in ("new", "reduced", "unit"):
            return Axis((Atom(role, 1, 0, 1, 1),))
        return Axis((self.atom(role, size, event, output, dim, note),))

    def learn(self, axis: Axis, role: str, event: int | None = None, note: str = "") -> None:
        """A consumer says what ``axis`` is: name its original axis (weak roles only; a merged or
        mixed axis says nothing about its parts)."""
        if axis.mixed or len(axis.uids) != 1:
            return
        for p in axis.parts:
            if not p.uid:
                continue
            cur = self.role_of.get(p.uid, p.role)
            if cur in WEAK:
                self.role_of[p.uid] = role
                if event is not None and note:
                    o = self.origins.get(p.uid)
                    if o is not None and not o.note:
                        o.note = note

    def role(self, p: Atom) -> str:
        return self.role_of.get(p.uid, p.role)

    def _resolve(self, axes) -> tuple[Axis, ...]:
        out = []
        for a in axes:
            parts = tuple(replace(p, role=self.role(p)) if p.uid in self.role_of else p for p in a.parts)
            out.append(replace(a, parts=parts))
        return tuple(out)

    def axes_for(self, meta: TensorMeta, event: int, k: int) -> tuple[Axis, ...]:
        """The axes of input ``k`` of ``event``: its producer's output of the same shape."""
        if meta.producer is not None:
            prod = self.trace.events[meta.producer] if meta.producer < len(self.trace.events) else None
            if prod is not None:
                for j, o in enumerate(prod.outputs):
                    if o.shape == meta.shape and (j, o.dtype) and (meta.producer, j) in self.out_axes:
                        return self.out_axes[(meta.producer, j)]
        role = "weight" if meta.role not in ("", "input") else UNKNOWN
        key = (meta.shape, meta.dtype, meta.role)
        if meta.producer is None and key in self.external:
            return self.external[key]
        note = "" if role == "weight" else f"a tensor {fmt_shape(meta.shape, meta.dtype)} made outside the trace, dim {{dim}}"
        axes = tuple(self.fresh(role, d, None, -1 - k, i, note.format(dim=i)) for i, d in enumerate(meta.shape))
        if meta.producer is None:
            self.external[key] = axes
        return axes


# -- reshape: read atoms in memory order, cut them into the new sizes -------------------------

def _merge_digits(seq: list[Atom]) -> list[Atom]:
    """Adjacent digits of one axis in order (outer then inner) are one atom again."""
    out: list[Atom] = []
    for p in seq:
        if out and out[-1].uid == p.uid and p.uid and out[-1].stride == p.stride * p.size:
            q = out.pop()
            p = Atom(p.role, q.size * p.size, p.uid, p.total, p.stride)
        out.append(p)
    return out


def classify(parts: tuple[Atom, ...], roles) -> tuple[bool, str]:
    """(mixed, why) for one axis made by a view, from its atoms."""
    if len({p.uid for p in parts}) < 2:
        return False, ""
    role = [roles(p) for p in parts]
    # the batch split with its outer digit under another axis: rows mix samples with that axis
    for i, p in enumerate(parts):
        if role[i] == "batch" and not p.whole and any(role[j] != "batch" for j in range(i)):
            return True, "batch-regrouped"
    first, rest = parts[0], parts[1:]
    if all(p.whole for p in parts[:-1]) and (parts[-1].whole or parts[-1].outer):
        return False, ""
    if role[0] == "batch" and first.inner and all(p.whole for p in rest):
        return False, "grouped-samples"  # k whole samples per row: episodes, pairs — on purpose
    return True, "interleave"


def reshape_axes(axes: tuple[Axis, ...], out_shape: tuple, roles=lambda p: p.role) -> tuple[Axis, ...] | None:
    seq = _merge_digits([p for a in axes for p in a.parts if p.size != 1])
    if any(p.size < 1 for p in seq) or not all(isinstance(d, int) for d in out_shape):
        return None
    suf = [1] * (len(seq) + 1)
    for i in range(len(seq) - 1, -1, -1):
        suf[i] = suf[i + 1] * seq[i].size
    q = [1] * (len(out_shape) + 1)
    for j in range(len(out_shape) - 1, -1, -1):
        q[j] = q[j + 1] * out_shape[j]
    if q[0] != suf[0]:
        return None
    out = []
    for j, size in enumerate(out_shape):
        if size == 1:
            out.append(Axis((Atom("unit", 1, 0, 1, 1),)))
            continue
        lo, hi = q[j + 1], q[j]
        parts, straddle = [], False
        for i, p in enumerate(seq):
            alo, ahi = suf[i + 1], suf[i]
            a, b = max(lo, alo), min(hi, ahi)
            if a >= b:
                continue
            if a % alo or b % a or ahi % b:
                straddle = True
                parts.append(p)
                continue
            if a == alo and b == ahi:
                parts.append(p)
            else:
                parts.append(Atom(p.role, b // a, p.uid, p.total, p.stride * (a // alo)))
        parts = tuple(parts)
        if straddle:
            out.append(Axis(parts, True, "straddle", size))
        else:
            mixed, why = classify(parts, roles)
            out.append(Axis(parts, mixed, why))
    return rows_cut(tuple(out), roles)


def rows_cut(out: tuple[Axis, ...], roles) -> tuple[Axis, ...]:
    """Rows that hold whole axes of a sample and only the outer digit of a later one, whose inner
    digit then leads the row's content: ``[B, C, T, H, W]`` viewed as ``[B·C·2, 3, H, W]`` makes each
    "frame" three time steps of one colour. Rows of heads (``[B·L·h, d]``, the digit is the whole
    content) and time chunks (``[B·k, T/k, F]``, nothing whole between) stay clean."""
    big = [j for j, a in enumerate(out) if a.size != 1]
    res = list(out)
    for n, j in enumerate(big[:-2]):
        a, nxt = out[j], out[big[n + 1]]
        ps = a.parts
        if a.mixed or len(ps) < 3 or roles(ps[0]) != "batch" or not ps[0].whole:
            continue
        last, middle = ps[-1], ps[1:-1]
        if last.whole or not last.outer or not all(p.whole and roles(p) != "batch" for p in middle):
            continue
        if len(nxt.parts) == 1 and nxt.parts[0].uid == last.uid and not nxt.parts[0].whole:
            res[j] = replace(a, mixed=True, why="interleave")
    return tuple(res)


# -- the pass over the trace ------------------------------------------------------------------

def axes_of(trace: Trace, batch_sizes=(), last_batches=()) -> AxisMap:
    """Infer the axes of every tensor of ``trace``. ``batch_sizes``: what the DataLoaders hand
    out; ``last_batches``: the sizes of their last, partial batches."""
    from . import ops as ops
    sizes = {b for b in batch_sizes if isinstance(b, int) and b > 1}
    amap = AxisMap(trace, batch_sizes=sizes,
                   loader_sizes=sizes | {b for b in last_batches if isinstance(b, int) and b > 1})
    top_inputs = {}
    for call in trace.modules:
        if call.depth == 0:
            top_inputs.setdefault(call.start, call)
    for ev in trace.events:
        ins = []
        for k, meta in enumerate(ev.inputs):
            axes = amap.axes_for(meta, ev.index, k)
            amap.in_axes[(ev.index, k)] = axes
            ins.append(axes)
        call = top_inputs.get(ev.index)
        if call is not None:
            ops.seed_model_input(amap, ev, ins, call)
        try:
            outs = ops.propagate(amap, ev, ins)
        except Exception:  # noqa: BLE001 - an op we misread must not stop the analysis
            if os.environ.get("TENSORSIGHT_DEBUG"):
                raise
            outs = None
        if outs is None:
            outs = ops.fallback(amap, ev, ins)
        for j, axes in enumerate(outs):
            amap.out_axes[(ev.index, j)] = axes
    return amap


# -- explanations ---------------------------------------------------------------------------

def _where(ev: OpEvent) -> str:
    return f"{os.path.basename(ev.where.file)}:{ev.where.line}" if ev.where else ""


MOVES = {"permute", "transpose", "movedim", "swapaxes", "t", "view", "reshape", "flatten", "unflatten",
         "squeeze", "unsqueeze", "view_as", "reshape_as", "contiguous"}


def origin_text(amap: AxisMap, uid: int) -> str:
    o = amap.origins.get(uid)
    if o is None:
        return ""
    if o.note:
        return o.note
    if o.event is None:
        return ""
    ev = amap.trace.events[o.event]
    shape = ev.outputs[o.output].shape if 0 <= o.output < len(ev.outputs) else ()
    what = "indexing" if ev.name == "[]" else ev.name   # ``x[idx]`` is recorded as "[]"
    return f"{what} {fmt_shape(shape)} dim {o.dim} at {_where(ev)}"


def path_of(amap: AxisMap, event_index: int, output_index: int, uid: int, limit: int = 60,
            keep=MOVES) -> list[OpEvent]:
    """The ops among ``keep`` (layout moves) that carried original axis ``uid`` to (event,
    output), oldest first."""
    trace = amap.trace
    hops: list[OpEvent] = []
    cur = event_index
    for _ in range(limit):
        ev = trace.events[cur]
        o = amap.origins.get(uid)
        if o is not None and o.event == cur:
            break
        nxt = None
        for k, meta in enumerate(ev.inputs):
            if any(uid in a.uids for a in amap.in_axes.get((cur, k), ())) and meta.producer is not None:
                nxt = meta.producer
                break
        if ev.op.rsplit(".", 1)[-1] in keep and ev.op.rsplit(".", 1)[-1] not in ("contiguous",):
            hops.append(ev)
        if nxt is None or nxt >= cur:
            break
        cur = nxt
    return list(reversed(hops))


def provenance_text(amap: AxisMap, event_index: int, output_index: int, dim: int) -> str:
    """``dim 1 is time (T=28): from the DataLoader batch [64,28,28] dim 1, through permute at m.py:31``."""
    axes = amap.roles(event_index, output_index)
    if not 0 <= dim < len(axes):
        return ""
    ax = axes[dim]
    main = next((p for p in ax.parts if p.size > 1 and p.role not in WEAK), ax.parts[0] if ax.parts else None)
    if main is None:
        return f"dim {dim} has size 1"
    what = ax.role if not ax.mixed else "mixed (" + " with ".join(f"{p.role} {p.size}" for p in ax.parts) + ")"
    text = f"dim {dim} is {what} ({_letter(main.role)}={ax.size})"
    src = origin_text(amap, main.uid)
    if src:
        text += f": from {src}"
    hops = [h for h in path_of(amap, event_index, output_index, main.uid) if h.index != event_index]
    if hops:
        text += ", through " + ", ".join(f"{h.name} at {_where(h)}" for h in hops[-3:])
    return text


LETTERS = {"batch": "B", "channel": "C", "time": "T", "height": "H", "width": "W", "depth": "D",
           "feature": "F", "class": "C", "head": "H", "embedding": "E", "vocab": "V", "layer": "L"}


def _letter(role: str) -> str:
    return LETTERS.get(role, "n")
