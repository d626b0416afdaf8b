"""Softmax, log_softmax, argmax and normalize over the wrong axis: across the samples of the
batch, over an axis of size 1 (a constant), or with no dim at all on a batch (one flat index)."""
from __future__ import annotations

import math

from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding
from .axes import WEAK, provenance_text
from .common import CLASS_ROLES, _out_index, _plural, _short
from .fixes import set_dim

# op -> (position of dim in F.op(x, …), its default) for ops that must not run across samples
OVER_AXIS = {"softmax": (1, None), "log_softmax": (1, None), "argmax": (1, "all"), "argmin": (1, "all"),
             "normalize": (2, 1)}


# -- softmax / argmax / normalize over the batch -----------------------------------------------------

def over_batch_rules(ctx) -> list[Finding]:
    from ...analysis.explain import norm_dim
    out = []
    amap = ctx.amap
    for ev in ctx.trace.events:
        spec = OVER_AXIS.get(_short(ev))
        if spec is None or ev.where is None or not ev.inputs:
            continue
        axes = amap.input_roles(ev.index, 0)
        pos, default = spec
        d = ev.kwargs.get("dim", ev.args[pos] if len(ev.args) > pos else default)
        if d is None:  # softmax's implicit dim (deprecated): 0 for 0-, 1- and 3-D inputs
            d = 0 if len(axes) in (0, 1, 3) else 1
        if d == "all":  # argmax without dim: one index into the flattened tensor
            out.extend(_flat_index_rule(ctx, ev, axes))
            continue
        d = norm_dim(d, len(axes))
        if d is not None and axes[d].size == 1 and _short(ev) in UNIT_CONSTANT:
            out.extend(_unit_axis_rule(ctx, ev, axes, d))
            continue
        if d is None or not axes[d].has_batch or axes[d].size < 2 or axes[d].mixed:
            continue
        others = [i for i, a in enumerate(axes) if i != d and a.size > 1 and not a.has_batch]
        if not others:
            continue  # every axis is samples (a similarity matrix): across samples on purpose
        target = next((i for i in others if axes[i].role in CLASS_ROLES), others[-1])
        name = _short(ev)
        msg = (f"{name} over dim {d} of {fmt_shape(ev.inputs[0].shape)} runs across the samples of the batch: "
               f"{provenance_text(amap, ev.inputs[0].producer, _out_index(ctx.trace, ev.inputs[0]), d) if ev.inputs[0].producer is not None else f'dim {d} is the batch'}; "
               f"each sample's {_plural(axes[target].role) if axes[target].role not in WEAK else 'values'} are on dim {target}: "
               f"use dim={target}")
        fixes, line = _dim_fix(ctx, ev, name, target)
        out.append(Finding("warning", "softmax_dim", line.file, line.line, msg, fixes or []))
    return out


# ops that return a constant along an axis of size 1 (softmax → 1, log_softmax → 0)
UNIT_CONSTANT = {"softmax": "1.0", "log_softmax": "0.0"}


def _unit_axis_rule(ctx, ev, axes, d) -> list[Finding]:
    """softmax over an axis of size 1: every value is 1 (log_softmax: 0), whatever the scores.
    Only when the axis has size 1 at every call of this line (a decoder's first step attends
    over one key, and the next steps over more)."""
    others = [i for i, a in enumerate(axes) if i != d and a.size > 1]
    if not others:
        return []
    site = (ev.where.file, ev.where.line)
    for e in ctx.trace.events:
        if e.op == ev.op and e.where is not None and (e.where.file, e.where.line) == site and e.inputs:
            shape = e.inputs[0].shape
            if len(shape) != len(axes) or shape[d] != 1:
                return []
    target = next((i for i in reversed(others) if axes[i].role in CLASS_ROLES), others[-1])
    name = _short(ev)
    msg = (f"{name} over dim {d} of {fmt_shape(ev.inputs[0].shape)}, an axis of size 1: every value comes out "
           f"{UNIT_CONSTANT[name]} whatever the scores, so nothing it feeds can learn; the "
           f"{axes[target].size} scores of each row are on dim {target}: use dim={target}")
    fixes, line = _dim_fix(ctx, ev, name, target)
    return [Finding("warning", "softmax_dim", line.file, line.line, msg, fixes or [])]


def _flat_index_rule(ctx, ev, axes) -> list[Finding]:
    """``argmax(x)`` with no dim on a batch: one flat index for the whole batch, not one per sample."""
    batch = next((i for i, a in enumerate(axes) if a.has_batch and a.size > 1 and not a.mixed), None)
    others = [i for i, a in enumerate(axes) if a.size > 1 and not a.has_batch]
    if batch is None or not others:
        return []
    target = next((i for i in others if axes[i].role in CLASS_ROLES), others[0])
    name = _short(ev)
    shape = ev.inputs[0].shape
    total = math.prod(n for n in shape if type(n) is int)
    msg = (f"{name} without dim flattens all of {fmt_shape(shape)} and returns one index below {total:,} for the "
           f"whole batch (dim {batch} is the batch of {axes[batch].size} samples), not one per sample; each "
           f"sample's {_plural(axes[target].role) if axes[target].role not in WEAK else 'values'} are on dim {target}: "
           f"use dim={target}")
    fixes, line = _dim_fix(ctx, ev, name, target)
    return [Finding("warning", "softmax_dim", line.file, line.line, msg, fixes or [])]


def _dim_fix(ctx, ev, name, target):
    module = ctx.watcher.module(ev.module) if ctx.watcher is not None and ev.module else None
    if module is not None and type(module).__name__ in ("Softmax", "LogSoftmax", "Softmin"):
        site = ctx.watcher.site(module)
        if site is not None:
            return set_dim(site.file, site.line, (type(module).__name__,), 0, target), site
    f = ev.where
    position = 1 if edits.is_function_call(f.file, f.line, name) else 0
    if name == "normalize":
        position = 2
    return set_dim(f.file, f.line, (name,), position, target), f
