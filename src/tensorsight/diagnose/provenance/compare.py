"""Silent checks that compare the axes of an op's operands (see silent.py for the others):
broadcasting operands, RNN time/batch axes, the class axis of cross_entropy, squeeze()."""
from __future__ import annotations

from ...capture.events import OpEvent
from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding
from .axes import WEAK, AxisMap, provenance_text
from .common import _short
from .fixes import _loss_shape_fix, _outer_call_fix, producer, rnn_fix, wrap_binary_operand
from .ops import BROADCAST, main_role

LOSSES = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
          "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss", "poisson_nll_loss",
          "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss"}
COMPARE = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "eq", "ne", "lt", "le", "gt", "ge"}
EXPLICIT_ONE = {"new", "reduced"}   # size-1 axes made for broadcasting on purpose
RNNS = {"lstm", "gru", "rnn_tanh", "rnn_relu"}
CLASS_ROLES = {"class", "feature", "vocab", "embedding", "channel"}
DATA_ROLES = {"batch", "time", "height", "width", "depth"}


def _prov(amap: AxisMap, ev: OpEvent, k: int, dim: int) -> str:
    meta = ev.inputs[k]
    if meta.producer is None:
        return ""
    prod = amap.trace.events[meta.producer]
    j = next((i for i, o in enumerate(prod.outputs) if o.shape == meta.shape), 0)
    return provenance_text(amap, meta.producer, j, dim)


def _batch_positions(axes) -> set[int]:
    """Positions counted from the right (1 = last) of axes that are the batch."""
    return {len(axes) - i for i, a in enumerate(axes) if a.role == "batch" and a.size > 1}


def _implicit(axis) -> bool:
    return axis is None or (axis.size == 1 and main_role_of(axis) not in EXPLICIT_ONE)


def main_role_of(axis) -> str:
    for p in axis.parts:
        if p.size != 1:
            return p.role
    return axis.parts[0].role if axis.parts else "unit"


def broadcast_rules(ctx) -> list[Finding]:
    """Operands whose batch axes meet an implicit broadcast; then the regression losses of other
    shapes that no batch axis decided (``stretched_losses``)."""
    out = _batch_broadcasts(ctx)
    return out + stretched_losses(ctx, told={(f.file, f.line) for f in out})


def _batch_broadcasts(ctx) -> list[Finding]:
    out = []
    amap, trace = ctx.amap, ctx.trace
    for ev in trace.events:
        name = _short(ev)
        kind = "loss" if name in LOSSES else "compare" if name in COMPARE else "arith" if name in BROADCAST else None
        if kind is None or ev.where is None or not ev.outputs:
            continue
        ks = [k for k, t in enumerate(ev.inputs) if t.role in ("", "input")]
        if len(ks) < 2:
            continue
        A, B = amap.input_roles(ev.index, ks[0]), amap.input_roles(ev.index, ks[1])
        x, y = ev.inputs[ks[0]], ev.inputs[ks[1]]
        if not A or not B or not (x.known and y.known):
            continue
        ba, bb = _batch_positions(A), _batch_positions(B)
        # a 1-D operand cut from the data like the batch (data[idx], data[i:i + bs]) of the same size
        # as the other's batch: its samples (targets by hand: ((pred - y) ** 2).mean())
        if ba and not bb and len(B) == 1 and len(A) - max(ba) == 0 and B[0].size == A[0].size \
                and B[0].uids & (amap.sliced | amap.strong):
            bb = {1}
        if bb and not ba and len(A) == 1 and len(B) - max(bb) == 0 and A[0].size == B[0].size \
                and A[0].uids & (amap.sliced | amap.strong):
            ba = {1}
        if kind != "arith":  # a target made outside the loader: its dim 0 is the batch of the prediction
            if ba and not bb and len(A) - max(ba) == 0 and B[0].size == A[0].size and main_role(amap, B[0]) in ("?", "unit"):
                bb = {len(B)}
            if bb and not ba and len(B) - max(bb) == 0 and A[0].size == B[0].size and main_role(amap, A[0]) in ("?", "unit"):
                ba = {len(A)}
        if not ba or not bb:
            continue
        cross = any(_implicit(B[-i] if i <= len(B) else None) for i in ba) or \
            any(_implicit(A[-i] if i <= len(A) else None) for i in bb)
        if cross and x.shape != y.shape:
            out.append(_cross_finding(ctx, ev, kind, x, y))
        elif not cross and len(A) == len(B) and any(
                i <= len(B) and B[-i].size > 1 and main_role_of(B[-i]) not in WEAK | {"batch", "weight"} for i in ba):
            i = max(ba)
            msg = (f"`{ev.where.code}` lines up {fmt_shape(x.shape)} with {fmt_shape(y.shape)}, but their batch axes "
                   f"are different dims ({_prov(amap, ev, ks[0], len(A) - max(ba))}; "
                   f"{_prov(amap, ev, ks[1], len(B) - max(bb))}): dim {len(A) - i} of one meets another axis of the "
                   f"other; permute one so the axes mean the same")
            cat = "loss_target_shape" if kind == "loss" else "broadcasting"
            out.append(Finding("warning", cat, ev.where.file, ev.where.line, msg, []))
    return out


def _bshape(a, b):
    res = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        res.append(max(da, db))
    return tuple(reversed(res))


def _cross_finding(ctx, ev, kind, x, y) -> Finding:
    trace = ctx.trace
    bshape = fmt_shape(_bshape(x.shape, y.shape))
    name = _short(ev)
    if kind == "loss":
        fixes, line = _loss_shape_fix(trace, ev, x, y)
        msg = (f"{name}(input {fmt_shape(x.shape)}, target {fmt_shape(y.shape)}) broadcasts to {bshape}: every "
               f"prediction is compared with every target, so the loss learns the batch mean; make the shapes equal")
        return Finding("warning", "loss_target_shape", line.file, line.line, msg, fixes or [])
    fixes, line = None, ev.where
    wrap = edits.wrap_compare_operand if kind == "compare" else \
        (lambda f, n, side, t: wrap_binary_operand(f, n, name, side, t))
    if len(x.shape) == 1 and tuple(y.shape) == (x.shape[0], 1):
        fixes = wrap(ev.where.file, ev.where.line, 1, "{}.squeeze(1)")
    elif len(y.shape) == 1 and tuple(x.shape) == (y.shape[0], 1):
        fixes = wrap(ev.where.file, ev.where.line, 0, "{}.squeeze(1)")
    if not fixes:
        for meta, other in ((x, y), (y, x)):
            src = producer(trace, meta)
            if src is not None and src.name in ("squeeze", "view", "reshape", "flatten") and src.where is not None \
                    and src.activations and tuple(src.activations[0].shape) == tuple(other.shape):
                fixes = edits.remove_method(src.where.file, src.where.line, src.name)
                if fixes:
                    line = src.where
                    break
    verb = "compares" if kind == "compare" else "combines"
    msg = (f"`{ev.where.code}` {verb} {fmt_shape(x.shape)} with {fmt_shape(y.shape)}, which broadcasts to {bshape}: "
           f"the batch axis of one meets a missing or size-1 axis of the other, so every prediction meets every "
           f"target; make the shapes equal (e.g. squeeze the column)")
    return Finding("warning", "broadcasting", line.file, line.line, msg, fixes or [])


# -- RNNs ---------------------------------------------------------------------------------------------

def rnn_rules(ctx) -> list[Finding]:
    out = []
    amap, watcher = ctx.amap, ctx.watcher
    for ev in ctx.trace.events:
        if _short(ev) not in RNNS or len(ev.args) < 9 or not isinstance(ev.args[-1], bool) or not ev.inputs:
            continue
        x = amap.input_roles(ev.index, 0)
        if len(x) != 3:
            continue
        bf = ev.args[-1]
        t, b = (1, 0) if bf else (0, 1)
        if x[t].role != "batch" or x[b].role == "batch":
            continue
        if _hx_given(ctx.trace, ev) and not (x[t].uids & amap.strong):
            continue  # torch checks h0's batch against dim 1: only a DataLoader's batch says more
        module = watcher.module(ev.module) if watcher is not None and ev.module else None
        if module is None:
            continue
        inp = ev.inputs[0]
        mtype = type(module).__name__
        name = ev.module.rsplit(".", 1)[-1]
        if bf:
            site = watcher.site(module)
            fixes = _ctor_kwarg(site, mtype, "batch_first", "False")
            line, how = site or ev.where, "construct it without batch_first (its input is [time, batch, …])"
        else:
            origin = next((amap.origins[p.uid].event for p in x[t].parts if p.uid in amap.origins), None)
            fixes, line, how = rnn_fix(watcher, ev, module, inp,
                                       ctx.trace.events[origin] if origin is not None else None)
        s = inp.shape
        layout = f"[batch={s[0]}, time={s[1]}" if bf else f"[time={s[0]}, batch={s[1]}"
        msg = (f"{name} = {mtype}(…) {'with batch_first=True' if bf else 'without batch_first'} reads "
               f"{fmt_shape(s)} as {layout}, features={s[2]}], but the batch has {x[t].size} samples "
               f"({_prov(amap, ev, 0, t) or f'dim {t} is the batch'}): it recurs across the samples of the batch; ")
        finding = Finding("warning", "rnn_layout", line.file, line.line, msg + how, fixes or [])
        site = watcher.site(module)
        if not bf and site is not None and (line.file, line.line) != (site.file, site.line):
            # the data made time-major may break what else reads it (a conv before the RNN wants
            # the batch first): the constructor's batch_first is the fix the re-run falls back to
            alt = _ctor_kwarg(site, mtype, "batch_first", "True")
            if alt:
                finding.alternatives.append(Finding("warning", "rnn_layout", site.file, site.line, msg + (
                    "construct it with batch_first=True (its input is [batch, time, …])"), alt))
        out.append(finding)
    return out


def _ctor_kwarg(site, mtype: str, keyword: str, value: str):
    """``keyword=value`` in the constructor call at ``site``: the class by name, else the one call
    there (the class passed in under another name: ``rnn_cell(input_size=…)``)."""
    if site is None:
        return None
    return edits.add_kwarg(site.file, site.line, (mtype,), keyword, value) or \
        edits.add_kwarg(site.file, site.line, (), keyword, value)


def _hx_given(trace, ev: OpEvent) -> bool:
    """The RNN got an initial state from the caller (not zeros made inside the module)."""
    for meta in ev.inputs[1:]:
        if meta.role in ("", "input") and meta.producer is not None:
            prod = trace.events[meta.producer]
            if prod.module != ev.module:
                return True
    return False


# -- the class axis of cross_entropy ---------------------------------------------------------------------

def ce_class_axis_rules(ctx) -> list[Finding]:
    out = []
    amap = ctx.amap
    for ev in ctx.trace.events:
        if _short(ev) not in ("cross_entropy", "nll_loss") or ev.where is None or not ev.inputs:
            continue
        x = amap.input_roles(ev.index, 0)
        if len(x) < 3 or x[1].role not in DATA_ROLES or x[-1].role not in CLASS_ROLES:
            continue
        msg = (f"{_short(ev)} reads dim 1 of {fmt_shape(ev.inputs[0].shape)} as the classes, but "
               f"{_prov(amap, ev, 0, 1) or 'dim 1 is ' + x[1].role} and the scores are on dim {len(x) - 1} "
               f"({x[-1].role}): move the class axis to dim 1 with movedim(-1, 1)")
        fixes = _outer_call_fix(ev, 0, "{}.movedim(-1, 1)")
        out.append(Finding("warning", "loss_target_shape", ev.where.file, ev.where.line, msg, fixes or []))
    return out


# -- squeeze() dropping a batch of one --------------------------------------------------------------------

def squeeze_rules(ctx) -> list[Finding]:
    out = []
    if not ctx.batch_sizes:
        return out  # batch 1 by design (or no loader): squeeze() of it never changes the rank
    amap = ctx.amap
    for ev in ctx.trace.events:
        if _short(ev) != "squeeze" or len(ev.args) > 1 or ev.kwargs or ev.where is None or not ev.inputs:
            continue
        x = amap.input_roles(ev.index, 0)
        gone = [i for i, a in enumerate(x) if a.size == 1 and main_role_of(a) == "batch"]
        if not gone:
            continue
        keep = [i for i, a in enumerate(x) if a.size == 1 and i not in gone]
        shape = fmt_shape(ev.inputs[0].shape)
        msg = (f"squeeze() on {shape} also drops the batch dimension when a batch has one sample (the batches "
               f"hold {', '.join(str(b) for b in sorted(ctx.batch_sizes))} samples, the last one 1): "
               f"name the dimension to drop")
        fixes = edits.replace_call(ev.where.file, ev.where.line, ("squeeze",),
                                   "{self}.squeeze(" + str(keep[0]) + ")") if keep else None
        out.append(Finding("warning", "batch_dim_changed", ev.where.file, ev.where.line, msg, fixes or []))
    return out


# -- a normalisation written by hand over the batch --------------------------------------------------------

DIVIDE = {"div", "__truediv__", "true_divide", "divide", "__itruediv__", "div_"}
# what a divisor may pass through on its way from the reduction: an epsilon, a clamp
DIVISOR_PASS = ("add", "__add__", "__radd__", "clamp", "clamp_min", "clamp_", "contiguous", "to", "float", "detach")
# reduction -> (names in the source, dim position as a method, as a function of torch)
HAND_NORMS = {"norm": (("norm",), 1, 2), "linalg_vector_norm": (("vector_norm", "norm"), 2, 2),
              "linalg_norm": (("norm",), 2, 2), "sum": (("sum",), 0, 1)}


def _same_tensor(a, b) -> bool:
    return a.producer is not None and a.producer == b.producer and tuple(a.shape) == tuple(b.shape)


def _made_by_layer(amap: AxisMap, axis) -> bool:
    """The axis was made inside the model (a layer's features), not read from the data."""
    for p in axis.parts:
        o = amap.origins.get(p.uid) if p.size > 1 else None
        if o is not None and o.event is not None and amap.trace.events[o.event].module:
            return True
    return False


def hand_normalize_rules(ctx) -> list[Finding]:
    """``z / z.norm(dim=0, keepdim=True)``, ``e / e.sum(0, keepdim=True)`` with ``e = x.exp()``: the
    hand-written F.normalize / softmax of over_axis.OVER_AXIS, over the batch axis of a layer's output.
    Statistics over samples (mean/std: feature standardisation) are not this and stay quiet."""
    out = []
    amap, trace = ctx.amap, ctx.trace
    for ev in trace.events:
        if _short(ev) not in DIVIDE or ev.where is None or len(ev.inputs) < 2:
            continue
        num, den = ev.inputs[0], ev.inputs[1]
        # the divisor keeps the rank (keepdim) or is one number for the whole batch (no dim)
        if den.shape is None or num.shape is None or len(den.shape) not in (len(num.shape), 0):
            continue
        red = producer(trace, den, DIVISOR_PASS)
        name = _short(red) if red is not None else None
        if name not in HAND_NORMS or not red.inputs or red.where is None:
            continue
        if not _same_tensor(red.inputs[0], num):
            continue
        if name == "sum":  # a sum normalises only what is positive by construction: exp → softmax
            src = producer(trace, num)
            if src is None or _short(src) != "exp":
                continue
        x, r = tuple(red.inputs[0].shape), tuple(red.outputs[0].shape)
        whole = r == () and len(x) >= 2 and not red.kwargs.get("dim") and len(red.args) <= 2
        dims = [i for i, (a, b) in enumerate(zip(x, r)) if a > 1 and b == 1] if len(x) == len(r) else []
        axes = amap.input_roles(red.index, 0)
        if whole:   # over every axis, the batch's among them: the batch is the one that matters
            dims = [i for i, a in enumerate(axes) if a.has_batch and not a.mixed][:1] if len(axes) == len(x) else []
        if len(dims) != 1:
            continue
        d = dims[0]
        if len(axes) != len(x) or not axes[d].has_batch or axes[d].mixed:
            continue
        others = [i for i, a in enumerate(axes) if i != d and a.size > 1 and not a.has_batch]
        if not others or not any(_made_by_layer(amap, axes[i]) for i in others):
            continue  # a similarity matrix, or data columns scaled over the samples on purpose
        target = next((i for i in others if axes[i].role in CLASS_ROLES), others[-1])
        what = "softmax" if name == "sum" else "L2 normalisation"
        over = f"over all of {fmt_shape(x)}, dim {d} the batch among them" if whole else \
            f"over dim {d} of {fmt_shape(x)}, the batch"
        msg = (f"`{ev.where.code}` is a {what} written by hand {over} "
               f"({_prov(amap, red, 0, d) or f'dim {d} is the batch'}): each sample is scaled by the other samples "
               f"of the batch, not by its own {axes[target].role if axes[target].role not in WEAK else 'values'} "
               f"(dim {target}); reduce over dim={target}")
        names, as_method, as_function = HAND_NORMS[name]
        f = red.where
        if whole:
            fixes = _with_dim(f.file, f.line, names, target)
        else:
            position = as_function if any(edits.is_function_call(f.file, f.line, n) for n in names) else as_method
            fixes = edits.replace_arg(f.file, f.line, names, position, "dim", str(target))
        out.append(Finding("warning", "softmax_dim", f.file, f.line, msg, fixes or []))
    return out


def _with_dim(file: str, line: int, names: tuple, dim: int):
    """``torch.norm(x)`` → ``torch.norm(x, dim=1, keepdim=True)``: one value per sample, kept
    broadcastable against the tensor it divides."""
    src = edits.load(file)
    calls = [c for c in (edits.calls_covering(src, line, *names) if src is not None else [])
             if c.start[0] == c.end[0] == line]
    if len(calls) != 1:
        return None
    text = src.text(calls[0])
    new = text[:-1] + (", " if calls[0].node.args else "") + f"dim={dim}, keepdim=True)"
    fixes = edits._splice(src, calls[0].start, calls[0].end, new)
    return fixes if fixes and edits.parses(src, fixes) else None


# the losses whose operands torch itself expects to have one shape (it warns when they differ)
SAME_SHAPE_LOSSES = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"}


def stretched_losses(ctx, told=frozenset()) -> list[Finding]:
    """A regression loss whose prediction and target differ in shape, where no batch axis said
    which side is wrong (lines in ``told`` have a finding already): the broadcast copies one side
    over the other's axis, so one target trains several outputs (or one output several targets)."""
    out, amap = [], ctx.amap
    for ev in ctx.trace.events:
        name = _short(ev)
        if name not in SAME_SHAPE_LOSSES or ev.where is None or len(ev.inputs) < 2 \
                or (ev.where.file, ev.where.line) in told:
            continue
        x, y = ev.inputs[0], ev.inputs[1]
        if not (x.known and y.known) or tuple(x.shape) == tuple(y.shape):
            continue
        b = _bshape(x.shape, y.shape)
        stretched = [(side, len(b) - i) for side, t in ((x, "input"), (y, "target"))
                     for i in range(1, len(b) + 1)
                     if (side.shape[-i] if i <= len(side.shape) else 1) == 1 and b[-i] > 1]
        if not stretched:
            continue
        side, dim = stretched[0]
        k = 0 if side is x else 1
        other = 1 - k
        odim = dim - (len(b) - len(ev.inputs[other].shape))
        why = _prov(amap, ev, other, odim) if 0 <= odim < len(ev.inputs[other].shape) else ""
        who = ("input", "target")
        fixes, line = _loss_shape_fix(ctx.trace, ev, x, y)
        msg = (f"{name}(input {fmt_shape(x.shape)}, target {fmt_shape(y.shape)}) broadcasts to {fmt_shape(b)}: the "
               f"{who[k]}'s dim {dim - (len(b) - len(side.shape))} has size 1 and is copied over the {who[other]}'s "
               f"{b[dim]}" + (f" ({why})" if why else "") + f", so each {('prediction', 'target')[k]} is compared with "
               f"{b[dim]} {('targets', 'predictions')[k]}; make the shapes equal (torch warns about it too)")
        out.append(Finding("warning", "broadcasting", line.file, line.line, msg, fixes or []))
    return out
