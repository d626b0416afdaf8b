"""Silent checks on what a layer contracts: a Linear that mixes the steps of a sequence because an
integer index dropped the feature axis where the time axis was meant (``out[:, :, -1]`` for
``out[:, -1, :]``). It only runs because the number of steps equals the layer's in_features."""
from __future__ import annotations

from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding
from .axes import AxisMap, path_of, provenance_text
from .common import _short
from .compare import main_role_of
from .segments import index_items

LAYOUT = {"permute", "transpose", "movedim", "moveaxis", "swapaxes", "swapdims", "t", "mT"}
CARRIED = {"feature", "embedding", "channel"}   # what a layer reads at each step
STEPS = {"time"}


def _dropping_index(amap: AxisMap, ev, uid: int):
    """Among the ops that carried axis ``uid`` to ``ev`` (newest first), the ``__getitem__`` that
    took one entry of a carried axis behind it: (event, its items, time dim, dropped dim); None
    when a layout op moved the axes on purpose first."""
    for hop in reversed(path_of(amap, ev.index, 0, uid, keep=LAYOUT | {"__getitem__"})):
        if _short(hop) in LAYOUT:
            return None
        ins = amap.input_roles(hop.index, 0)
        where = [d for d, a in enumerate(ins) if uid in a.uids]
        items = index_items(hop.arg(1, "idx"), len(ins)) if hop.where is not None and where else None
        if items is None or items[where[0]] != slice(None):
            return None
        t = where[0]
        for d, it in enumerate(items):
            if d > t and type(it) is int and ins[d].size > 1 and main_role_of(ins[d]) in CARRIED:
                return hop, items, t, d
    return None


def _item_text(it) -> str:
    if isinstance(it, int):
        return str(it)
    return ":" if it == slice(None) else f"{'' if it.start is None else it.start}:{'' if it.stop is None else it.stop}"


def contraction_rules(ctx) -> list[Finding]:
    out, amap, seen = [], ctx.amap, set()
    for ev in ctx.trace.events:
        if _short(ev) != "linear" or ev.where is None or not ev.inputs:
            continue
        A = amap.input_roles(ev.index, 0)
        if len(A) < 2 or A[-1].mixed or len(A[-1].uids) != 1 or main_role_of(A[-1]) not in STEPS:
            continue
        cut = _dropping_index(amap, ev, next(iter(A[-1].uids)))
        if cut is None or (cut[0].where.file, cut[0].where.line) in seen:
            continue
        hop, items, t, d = cut
        seen.add((hop.where.file, hop.where.line))
        x = hop.inputs[0]
        ins = amap.input_roles(hop.index, 0)
        meant = list(items)
        meant[t], meant[d] = items[d], items[t]
        old_txt = "[" + ", ".join(_item_text(i) for i in items) + "]"
        new_txt = "[" + ", ".join(_item_text(i) for i in meant) + "]"
        why = provenance_text(amap, x.producer, 0, t) if x.producer is not None else ""
        layer = f"the Linear at {ev.module}" if ev.module else "linear()"
        msg = (f"`{hop.where.code}` indexes {fmt_shape(x.shape)} with {old_txt}: that takes entry {items[d]} of dim "
               f"{d}, the {ins[d].size} {main_role_of(ins[d])}s, and keeps dim {t}, the {ins[t].size} steps"
               + (f" ({why})" if why else "") + f"; {layer} then contracts the steps as if they were features "
               f"({A[-1].size} steps = its in_features), mixing the sequence instead of reading one step; index "
               f"the time axis: {new_txt}")
        fixes = edits.rewrite_subscript(hop.where.file, hop.where.line, len(items), new_txt[1:-1]) or []
        out.append(Finding("warning", "rnn_layout", hop.where.file, hop.where.line, msg, fixes))
    return out
