"""Silent shape bugs: code that runs but trains on garbage — all read from one axis provenance.

``axes_of`` (provenance.py) says what every axis of every tensor is; each check below compares
that with what an op does or expects (tables at the top):

- a view/reshape that cuts an axis and so mixes axes: rows straddling samples, the batch read
  from behind another axis, channels/time/heads interleaved (the cut is made by this view: a
  regroup of axes the code split on purpose, e.g. a pixel shuffle, is not one);
- a permute/transpose that moves nothing;
- softmax/log_softmax/argmax/normalize over the batch axis;
- probabilities fed to a loss that wants logits (softmax → cross_entropy, sigmoid → *WithLogits);
- a loss, comparison or arithmetic whose operands' batch axes meet an implicit broadcast
  ([N] vs [N, 1] → [N, N]) or whose aligned axes mean different things;
- an RNN whose time axis is the batch axis; a cross_entropy whose class axis (dim 1) is time/space;
- ``squeeze()`` removing a batch axis of one when other batches are bigger.

The rules stay quiet on correct code: attention masks [B, 1, 1, T], biases, keepdim reductions,
pairwise distances built with None, [B·T, V] flattening for the loss, CrossEntropyLoss with
[N, C] vs [N] and [N, C, H, W] vs [N, H, W].
"""
from __future__ import annotations

import os

from ...capture.events import OpEvent, Trace
from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding
from .axes import WEAK, AxisMap, axes_of, provenance_text, rows_cut
# _loss_shape_fix, _outer_call_fix and view_fix are imported from here by the crash rules
from .fixes import (_loss_shape_fix, _outer_call_fix, patch_fix, patch_split, permutation_for,  # noqa: F401
                    permute_before, permute_text, producer, rnn_fix, split_permute_fix, split_then_permute, view_fix)
from .common import _call_args, _out_index, _prov, _roles_text, _short
from .contraction import contraction_rules
from .rnn_calls import rnn_length_rules
from .loss_inputs import loss_input_rules
from .over_axis import over_batch_rules
from .compare import (broadcast_rules, ce_class_axis_rules, hand_normalize_rules, rnn_rules,
                                squeeze_rules)

LOSSES = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
          "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss", "poisson_nll_loss",
          "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss"}
COMPARE = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "eq", "ne", "lt", "le", "gt", "ge"}
RESHAPES = {"view", "reshape", "flatten", "unflatten", "view_as", "reshape_as"}
PERMUTES = {"permute", "transpose", "swapaxes", "swapdims", "movedim", "moveaxis"}
RNNS = {"lstm", "gru", "rnn_tanh", "rnn_relu"}
DATA_ROLES = {"batch", "time", "height", "width", "depth"}


def batch_sizes(watcher, trace: Trace | None = None) -> set[int]:
    sizes = set(watcher.batch_sizes()) if watcher is not None else set()
    return {b for b in sizes if b > 1}


def last_batches(watcher) -> set[int]:
    return {i.last_batch for i in (watcher.loaders if watcher else []) if i.iterated and i.last_batch}




# -- view / reshape ------------------------------------------------------------------------------

def _boundaries(sizes) -> set[int]:
    out, p = {1}, 1
    for s in reversed([s for s in sizes]):
        p *= s
        out.add(p)
    return out


def view_rules(ctx) -> list[Finding]:
    out = []
    amap, trace = ctx.amap, ctx.trace
    for ev in trace.events:
        if _short(ev) not in RESHAPES or ev.where is None or not ev.inputs or not ev.outputs:
            continue
        src, dst = tuple(ev.inputs[0].shape), tuple(ev.outputs[0].shape)
        # the rows test again with the roles known now: the batch may be named after the view ran
        ins, outs = amap.input_roles(ev.index, 0), rows_cut(amap.roles(ev.index), amap.role)
        if not ins or any(a.mixed for a in ins) or not all(isinstance(d, int) for d in src + dst):
            continue
        cut = not _boundaries(dst) <= _boundaries(src)
        bad = [j for j, a in enumerate(outs) if a.mixed]
        nontrivial = [d for d in src if d != 1] != [d for d in dst if d != 1]
        permuted = nontrivial and sorted(d for d in src if d != 1) == sorted(d for d in dst if d != 1)
        if bad and not cut:
            continue  # a regroup of axes the code split itself (pixel shuffle, window partition)
        grouped = [j for j, a in enumerate(outs) if a.why == "grouped-samples"]
        if not bad and not permuted:
            if grouped and cut:
                out.append(_grouped_info(ev, ins, outs, grouped[0]))
            continue
        out.append(_view_finding(ctx, ev, ins, outs, bad, src, dst))
    return out


def _grouped_info(ev, ins, outs, j) -> Finding:
    per = 1
    for a in ins[1:]:
        per *= a.size
    row = outs[j].size
    msg = (f"{ev.name}{_call_args(ev)} turns the batch {fmt_shape(ev.inputs[0].shape)} into "
           f"{fmt_shape(ev.outputs[0].shape)}: each row of {row} values groups {row // max(per, 1)} whole samples "
           f"of {per} values (episodes, pairs): on purpose?")
    return Finding("info", "view_reshape", ev.where.file, ev.where.line, msg, [])


def _view_finding(ctx, ev, ins, outs, bad, src, dst) -> Finding:
    amap = ctx.amap
    bdim = next((i for i, a in enumerate(ins) if a.role == "batch" and a.size > 1), None)
    # samples mixed: a mixed axis holds batch, or the batch is merged into another axis by a view that mixes
    across = any(any(amap.role(p) == "batch" for p in outs[j].parts) for j in bad) or (
        bool(bad) and any(a.has_batch and len(a.uids) > 1 for a in outs))
    flatten = across and bdim == 0 and len(dst) == 2
    perm = None if flatten else permutation_for(ins, dst, amap.role)
    split = None if flatten or (perm and not _moves_kept_tail(perm, src, dst)) \
        else split_then_permute(ins, dst, amap.role)
    if split:
        perm = None   # the view keeps the trailing axis in place: the merged axis is split instead
    call = f"{ev.name}{_call_args(ev)}"
    if flatten:
        how = f"flatten per sample with {ev.name}(x.size(0), -1)"
        fixes = view_fix(ev)
    elif perm:
        how = f"move the axes first with {permute_text(perm)}" + (".contiguous()" if ev.name == "view" else "")
        fixes = permute_before(ev, perm)
    elif split:
        order, p = split
        how = (f"split the axes in their memory order, then move them: {ev.name}(sizes in the order "
               f"{', '.join(str(dst[i]) for i in order)}).{permute_text(p)}")
        fixes = split_permute_fix(ev, order, p)
    elif patch_split(src, dst):
        ps = patch_split(src, dst)
        how = (f"cut it into {'×'.join(map(str, ps))} patches first: split every spatial axis into (grid, patch), "
               f"move the grid axes in front of the channels, then merge")
        fixes = patch_fix(ev, src, ps)
    else:
        how, fixes = "permute the axes first", None
    if flatten:
        n = 1
        for d in src:
            n *= d
        batch, rows = src[0], dst[0]
        per = n // batch
        row = n // rows if rows else 0
        cut = (f"each sample is cut into {per // row} rows of {row} values" if row and row < per and per % row == 0
               else f"each row of {row} values straddles two samples" if row and row < per
               else f"rows of {row} values cut samples apart")
        msg = (f"{call} turns the batch {fmt_shape(src)} into {fmt_shape(dst)}: each sample has {per} = "
               f"{'·'.join(str(d) for d in src[1:])} values, {cut}, so {batch} samples become {rows} mixed rows"
               f"{_prov(amap, ev, 0)}; {how}")
    elif across and bdim:
        msg = (f"{call} reads {fmt_shape(src)} in memory order, but its batch axis (size {ins[bdim].size}) is "
               f"dim {bdim}{_prov(amap, ev, bdim)}: row i of {fmt_shape(dst)} gathers values of different samples "
               f"(e.g. the forward and backward states of two sentences); {how} before the {ev.name}")
    else:
        j = bad[0] if bad else next(i for i, (a, b) in enumerate(zip(src, dst)) if a != b)
        held = " × ".join(_part_text(amap, ins, p) for p in outs[j].parts)
        what = "samples and their values are mixed" if across else "values of different axes are interleaved within each sample"
        msg = (f"{call} reads {fmt_shape(src)} = {_roles_text(amap, ins)} in memory order into {fmt_shape(dst)}: "
               f"dim {j} ({dst[j]}) holds {held or 'pieces of several axes'}, so {what}"
               f"{_prov(amap, ev, None)}; a view only regroups neighbouring axes — {how}")
    return Finding("warning", "view_reshape", ev.where.file, ev.where.line, msg, fixes or [])


def _moves_kept_tail(perm, src, dst) -> bool:
    """The permutation moves the input's last axis although the view keeps it as its last."""
    return bool(src) and bool(dst) and src[-1] == dst[-1] and perm[-1] != len(src) - 1


def _part_text(amap: AxisMap, ins, p) -> str:
    k = next((i for i, a in enumerate(ins) if p.uid in a.uids), None)
    role = amap.role(p)
    name = role if role not in WEAK else (f"input dim {k}" if k is not None else "an axis")
    return f"{name} {p.size}" + (f" (of {p.total})" if not p.whole else "")




# -- permute that moves nothing --------------------------------------------------------------------

def permute_rules(ctx) -> list[Finding]:
    from ...analysis.explain_layout import _permutation
    out = []
    for ev in ctx.trace.events:
        if _short(ev) not in PERMUTES or ev.where is None or not ev.inputs or len(ev.inputs[0].shape) < 2:
            continue
        perm = _permutation(ev, len(ev.inputs[0].shape))
        if perm is None or perm != list(range(len(perm))):
            continue
        axes = ctx.amap.input_roles(ev.index, 0)
        fixes, how = _noop_fix(ev, axes)
        msg = (f"{ev.name}{_call_args(ev)} on {fmt_shape(ev.inputs[0].shape)} changes nothing: every axis stays "
               f"where it is ({_roles_text(ctx.amap, axes)}); {how}")
        out.append(Finding("warning", "permute_noop", ev.where.file, ev.where.line, msg, fixes or []))
    return out


def _noop_fix(ev, axes):
    """The one swap a no-op permute can have meant: [batch, a, b] with the batch kept in front has a
    single other order, [batch, b, a] (rows read as columns, [B, T, C] as [B, C, T])."""
    if len(axes) != 3 or not axes[0].has_batch or ev.where is None:
        return None, "name the axes to move"
    name = _short(ev)
    args = {"permute": "0, 2, 1", "transpose": "1, 2", "swapaxes": "1, 2", "swapdims": "1, 2"}.get(name)
    if args is None:
        return None, "name the axes to move"
    fixes = edits.replace_in_call_args(ev.where.file, ev.where.line, (name,), args)
    return fixes, f"with the batch kept in front the only other order is {name}({args})"


def forced_shape_rules(ctx) -> list[Finding]:
    out = []
    for ev in ctx.trace.events:
        if ev.name not in ("view", "reshape", "flatten") or not ev.activations or ev.where is None:
            continue
        src = producer(ctx.trace, ev.activations[0])
        if src is not None and src.name in ("interpolate", "pad") and src.where is not None:
            msg = (f"{src.name} resizes {fmt_shape(src.activations[0].shape)} to {fmt_shape(src.outputs[0].shape)} "
                   f"right before a {ev.name}: it forces the flattened size instead of matching the next layer to "
                   f"the real one")
            out.append(Finding("info", "forced_shape", src.where.file, src.where.line, msg, []))
    return out


STATS = {"mean", "std", "var", "amax", "amin"}
PER_CHANNEL_OVER = {"time", "height", "width", "depth"}
# the quantities measured at each time step or pixel: what a conv reads as channels, an RNN or Linear as features
MEASURED = {"channel", "feature"}


def data_stats_rules(ctx) -> list[Finding]:
    """Data standardised across its channels (outside the model): per-channel statistics are taken
    over time/space, so each channel keeps its own offset and scale removed. The channels are what a
    conv reads as channels or an RNN as its input features, next to a time or space axis."""
    from ...analysis.explain import norm_dim
    out = []
    amap = ctx.amap
    for ev in ctx.trace.events:
        if _short(ev) not in STATS or ev.module or ev.where is None or not ev.inputs:
            continue
        keep = ev.kwargs.get("keepdim", ev.args[2] if len(ev.args) > 2 else False)
        d = ev.kwargs.get("dim", ev.args[1] if len(ev.args) > 1 else None)
        axes = amap.input_roles(ev.index, 0)
        d = norm_dim(d, len(axes)) if isinstance(d, int) else None
        if keep is not True or d is None or axes[d].role not in MEASURED:
            continue
        over = [i for i, a in enumerate(axes) if a.role in PER_CHANNEL_OVER and a.size > 1]
        if not over:
            continue
        target = over[0] if len(over) == 1 else tuple(over)
        msg = (f"{_short(ev)}(dim={d}) on the data {fmt_shape(ev.inputs[0].shape)} takes its statistics across "
               f"the channels ({provenance_text(amap, ev.inputs[0].producer, _out_index(ctx.trace, ev.inputs[0]), d) if ev.inputs[0].producer is not None else f'dim {d} is channels'}): "
               f"every time step/pixel is standardised over the channels, so each channel's own offset and scale "
               f"stay in the data; take them per channel over dim={target}")
        fixes = _stats_dim_fix(ev.where.file, ev.where.line, d, len(axes), str(target))
        out.append(Finding("warning", "normalization_axis", ev.where.file, ev.where.line, msg, fixes or []))
    return out


def _stats_dim_fix(path: str, line: int, d: int, rank: int, new: str):
    """Point every statistic on the line taken over dim ``d`` at ``new``: a standardisation
    ``(x - x.mean(2, keepdim=True)) / x.std(2, keepdim=True)`` moves its mean and std together."""
    from ...analysis.explain import norm_dim
    from ..findings import Fix
    src = edits.load(path, line)
    if src is None:
        return None
    spans = []
    for call in edits.calls_covering(src, line, *STATS):
        arg = edits.arg_node(call.node, 0, "dim")
        pos = edits._find(src, arg.value) if arg is not None else None
        if pos is None or pos.start[0] != line or pos.end[0] != line:
            continue
        try:
            value = int(src.code(arg.value).strip())
        except ValueError:
            continue
        if norm_dim(value, rank) == d:
            spans.append((pos.start[1], pos.end[1]))
    if not spans:
        return None
    old = src.lines[line - 1]
    text = old
    for a, b in sorted(set(spans), reverse=True):
        text = text[:a] + new + text[b:]
    fixes = [Fix(path, line, old, text)]
    return fixes if edits.parses(src, fixes) else None


RULES = [data_stats_rules, view_rules, permute_rules, over_batch_rules, hand_normalize_rules, loss_input_rules,
         broadcast_rules, contraction_rules, rnn_rules, rnn_length_rules, ce_class_axis_rules, squeeze_rules, forced_shape_rules]


class Context:
    """What every rule reads: the watcher, its trace and the trace's axis provenance."""

    def __init__(self, watcher, trace: Trace):
        self.watcher = watcher
        self.trace = trace
        self.batch_sizes = batch_sizes(watcher)
        self.amap = axes_of(trace, self.batch_sizes, last_batches(watcher))


def silent_findings(watcher, ctx: Context | None = None) -> list[Finding]:
    """Every rule's findings; ``ctx`` when the caller already built the provenance."""
    try:
        ctx = ctx or Context(watcher, watcher.trace)
    except Exception:  # noqa: BLE001
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        return []
    out: list[Finding] = []
    for rule in RULES:
        try:
            out.extend(rule(ctx))
        except Exception:  # noqa: BLE001 - one broken rule must not hide the others
            if os.environ.get("TENSORSIGHT_DEBUG"):
                raise
    return out


def rnn_layout_finding(watcher, step: OpEvent, module, inp, batch: int, severity="warning"):
    """(used by the crash rules) an RNN without batch_first fed [batch, time, features]."""
    mtype = type(module).__name__
    name = step.module.rsplit(".", 1)[-1] if step.module else mtype
    fixes, line, how = rnn_fix(watcher, step, module, inp)
    msg = (f"{name} = {mtype}(…) without batch_first reads {fmt_shape(inp.shape)} as [time={inp.shape[0]}, "
           f"batch={inp.shape[1]}, features={inp.shape[2]}], but the batch has {batch} samples: it recurs across "
           f"the samples of the batch; {how}")
    return Finding(severity, "rnn_layout", line.file, line.line, msg, fixes or [])
