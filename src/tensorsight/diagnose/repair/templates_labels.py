"""Candidate edits of class ids that start below 0: shift them where each label is made.

``Target -1 is out of bounds``: labels written as -1/0/1 (or 1…C counted from 1 and shifted
the wrong way) reach a classification loss that wants 0…C−1. When the ids span no more values
than the model has classes, adding the same offset where the labels are made (the Dataset's
``__getitem__``, the script's label tensor) fits them without touching the model.
"""
from __future__ import annotations

import re

from ..edit import edits
from .candidate import Candidate, Context
from .producers import is_data_line
from .sites import Site

CLASS_LOSSES = {"cross_entropy", "nll_loss"}
_NEGATIVE = re.compile(r"Target (-\d+) is out of bounds")


def shift_labels(ctx: Context, site: Site):
    ev = ctx.ev
    m = _NEGATIVE.search(ctx.crash.msg)
    if ev is None or not m or ev.name.split(".")[-1] not in CLASS_LOSSES or site.operand != 1 \
            or not is_data_line(site) or site.event is None or len(ev.inputs) < 2:
        return
    low, high = _target_range(ctx.crash.tb_locals)
    classes = ev.inputs[0].shape[1] if len(ev.inputs[0].shape) > 1 else None
    low = min(low, int(m.group(1))) if low is not None else int(m.group(1))
    if not isinstance(classes, int) or high is None or low >= 0 or high - low + 1 > classes:
        return
    step = site.event
    index = _call_index(ctx.crash.trace, step)
    fixes = edits.wrap_nth_call(step.where.file, step.where.line, (step.name,), index, "{} + " + str(-low))
    if fixes:
        yield Candidate(tuple(fixes), "shift_labels", "data", site,
                        f"the labels run from {low} to {high}, but {ev.name} wants class ids 0…{classes - 1}: "
                        f"shift them by {-low} where they are made ({high - low + 1} values for {classes} classes)",
                        6.0)


def _target_range(tb_locals):
    for loc in reversed(tb_locals or []):
        t = loc.get("target")
        if t is not None and hasattr(t, "min") and getattr(t, "numel", lambda: 0)():
            try:
                return int(t.min()), int(t.max())
            except Exception:  # noqa: BLE001 - a target we cannot read
                return None, None
    return None, None


def _call_index(trace, step) -> int:
    """Which call of its name on its line ``step`` is (``a, torch.tensor(v)``: the second)."""
    k = 0
    i = step.index - 1
    while i >= 0:
        e = trace.events[i]
        if e.where is None or (e.where.file, e.where.line) != (step.where.file, step.where.line):
            break
        if e.name == step.name:
            k += 1
        i -= 1
    return k
