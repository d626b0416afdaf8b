"""A sequence loss whose prediction has fewer steps than its target: the decoder was fed the
target shifted by k (teacher forcing: ``decoder(y[:, :-1])``), so it predicts steps k…T−1 and
the target must be shifted the same way (``y[:, k:]``) before it is flattened.
"""
from __future__ import annotations

import libcst as cst

from ..edit import edits
from .candidate import Candidate, Context
from .sites import Site

_FLATTEN = ("view", "reshape", "flatten")
SHIFT_PRIOR = 6.0


def _flattened(trace, meta):
    """(the op that flattened ``meta``, the shape before it), when ``meta`` is a flatten's output."""
    if meta.producer is None or meta.producer >= len(trace.events):
        return None, None
    ev = trace.events[meta.producer]
    if ev.name not in _FLATTEN or not ev.activations:
        return None, None
    return ev, tuple(ev.activations[0].shape)


def shifted_target(ctx: Context, site: Site):
    ev = ctx.ev
    if site.kind != "call" or site.depth != 0 or ev is None or len(ev.activations) < 2 \
            or "batch_size" not in ctx.crash.msg:
        return
    trace = ctx.crash.trace
    _, pred = _flattened(trace, ev.activations[0])
    flat, tgt = _flattened(trace, ev.activations[1])
    if pred is None or tgt is None or flat is None or flat.where is None or len(pred) != 3 or len(tgt) != 2:
        return
    (b, steps, _), (b2, t) = pred, tgt
    k = t - steps
    if b != b2 or not 0 < k < t:
        return
    src = edits.load(flat.where.file, flat.where.line)
    if src is None:
        return
    from ...capture.events import TensorRef
    n_args = sum(1 for a in flat.args if not isinstance(a, TensorRef))
    for call in edits.calls_covering(src, flat.where.line, flat.name):
        node = call.node
        if not isinstance(node.func, cst.Attribute) or len(node.args) != n_args:
            continue
        recv = src.code(node.func.value).strip()
        args = ", ".join(src.code(a).strip().rstrip(",") for a in node.args)
        fixes = edits._splice(src, call.start, call.end, f"{recv}[:, {k}:].reshape({args})")
        if fixes:
            yield Candidate(tuple(fixes), "shifted_target", "data", site,
                            f"the prediction has {steps} steps per sequence, the target {t}: the decoder is fed "
                            f"the target shifted by {k}, so compare with {recv}[:, {k}:] ({b}·{steps} = {b * steps} "
                            f"targets)", SHIFT_PRIOR + 0.5)
            return
