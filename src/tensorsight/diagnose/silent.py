"""Silent shape bugs: code that runs but trains on garbage. Each rule reads the Trace.

The rules must stay quiet on correct code: attention masks [B, 1, 1, T], biases, keepdim
reductions, pairwise distances built with None, sequence models flattening [B·T, V] for the
loss, CrossEntropyLoss with [N, C] vs [N] and [N, C, H, W] vs [N, H, W].
"""
from __future__ import annotations

from ..capture.events import OpEvent, TensorMeta, Trace
from ..shapes import fmt_shape
from . import edits
from .findings import Finding
from .origin import hoist

LOSSES = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
          "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss", "poisson_nll_loss",
          "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss"}
COMPARE = {"==", "!=", "<", "<=", ">", ">=", "-", "eq", "ne", "sub", "__eq__", "__ne__", "__sub__", "__rsub__"}
EXPLICIT = {"unsqueeze", "expand", "expand_as", "view", "reshape", "broadcast_to", "repeat", "[]",
            "__getitem__", "outer", "cdist"}


def batch_sizes(watcher, trace: Trace) -> set[int]:
    sizes = set(watcher.batch_sizes()) if watcher is not None else set()
    return {b for b in sizes if b > 1}


def model_batch(trace: Trace, index: int) -> int | None:
    """dim 0 of the input of the outermost module call around (or just before) event ``index``."""
    best = None
    for call in trace.modules:
        if call.depth == 0 and call.start <= index and call.inputs:
            shape = call.inputs[0].shape
            if len(shape) >= 2 and isinstance(shape[0], int):
                best = shape[0]
    return best


def view_fix(ev: OpEvent):
    if ev.where is None:
        return None
    return edits.replace_in_call_args(ev.where.file, ev.where.line, (ev.name,), "{self}.size(0), -1")


def view_rules(watcher, trace: Trace) -> list[Finding]:
    out = []
    loader_b = batch_sizes(watcher, trace)
    for ev in trace.events:
        if ev.name not in ("view", "reshape") or not ev.activations or not ev.outputs or ev.where is None:
            continue
        src, dst = ev.activations[0], ev.outputs[0]
        if not (src.known and dst.known) or len(src.shape) < 2 or not dst.shape:
            continue
        b = model_batch(trace, ev.index)
        candidates = loader_b | ({b} if b and b > 1 else set())
        if not candidates:
            continue
        n = src.numel
        if src.shape[0] in candidates and dst.shape[0] != src.shape[0] and n:
            batch = src.shape[0]
            per, rows = n // batch, dst.shape[0]
            row = n // rows if rows else 0
            if row and per % row != 0:
                merges = row % per == 0  # whole samples grouped together: often on purpose (episodes, pairs)
                how = (f"rows of {row} values merge {row // per} samples each" if merges
                       else f"each row of {row} values straddles two samples")
                msg = (f"{ev.name}{_args(ev)} turns the batch {fmt_shape(src.shape)} into {fmt_shape(dst.shape)}: "
                       f"each sample has {per} = {'·'.join(str(d) for d in src.shape[1:])} values, {how}, so "
                       f"{batch} samples become {rows} {'grouped' if merges else 'mixed'} rows"
                       + ("" if merges else f"; flatten per sample with {ev.name}(x.size(0), -1)"))
                out.append(Finding("info" if merges else "warning", "view_reshape", ev.where.file, ev.where.line,
                                   msg, [] if merges else (view_fix(ev) or [])))
            continue
        # the batch axis is not first but the view puts it first: rows read samples in memory order
        if src.shape[0] not in candidates and dst.shape[0] in candidates and src.shape[0] > 1:
            k = next((i for i, d in enumerate(src.shape) if d == dst.shape[0] and i > 0), None)
            if k is None or len(dst.shape) != 2 or _is_identity_layout(src, dst):
                continue
            batch = dst.shape[0]
            fixes = edits.wrap_receiver(ev.where.file, ev.where.line, (ev.name,),
                                        "{}" + f".transpose(0, {k}).contiguous()")
            msg = (f"{ev.name}{_args(ev)} reads {fmt_shape(src.shape)} in memory order, but its batch axis "
                   f"(size {batch}) is dim {k}: row i of {fmt_shape(dst.shape)} gathers values of different samples "
                   f"(e.g. the forward and backward states of two sentences); move the batch axis first with "
                   f"transpose(0, {k}).contiguous() before the {ev.name}")
            out.append(Finding("warning", "view_reshape", ev.where.file, ev.where.line, msg, fixes or []))
    return out


def _is_identity_layout(src: TensorMeta, dst: TensorMeta) -> bool:
    return all(d == 1 for d in src.shape[:1])


def _args(ev: OpEvent) -> str:
    vals = [a for a in ev.args[1:]]
    return "(" + ", ".join(str(v) for v in vals) + ")"


def _outer_call(ev: OpEvent):
    """(source, call node) of the user's call that ran this op: the outermost call on the line
    with at least two positional arguments (``criterion(out, y)``, ``F.mse_loss(a, b)``)."""
    if ev.where is None:
        return None, None
    src = edits.load(ev.where.file)
    if src is None:
        return None, None
    calls = [c for c in edits.calls_covering(src, ev.where.line)
             if len([a for a in c.node.args if a.keyword is None]) >= 2]
    if not calls:
        return src, None
    calls.sort(key=lambda c: (c.start, (-c.end[0], -c.end[1])))
    return src, calls[0].node


def _outer_call_fix(ev: OpEvent, position: int, template: str):
    """Wrap an argument of the user's call that ran this op."""
    src, node = _outer_call(ev)
    if node is None:
        return None
    name = edits.func_name(node).rsplit(".", 1)[-1]
    return edits.wrap_arg(ev.where.file, ev.where.line, (name,), position, template)


def loss_rules(watcher, trace: Trace) -> list[Finding]:
    out = []
    for ev in trace.events:
        name = ev.name
        if ev.where is None or len(ev.activations) < 2:
            continue
        if name == "mse_loss":
            src = _producer(trace, ev.activations[0])
            if src is not None and src.name == "softmax":
                msg = ("class probabilities trained with MSE against one-hot targets: this works but learns slowly; "
                       "cross_entropy on the logits with class-index targets is the usual choice")
                out.append(Finding("info", "loss_input_type", ev.where.file, ev.where.line, msg, []))
        if name in LOSSES:
            x, y = ev.activations[0], ev.activations[1]
            if x.shape == y.shape or not (x.known and y.known):
                continue
            bshape = _broadcast(x.shape, y.shape)
            if bshape is None:
                continue
            fixes, line = _loss_shape_fix(trace, ev, x, y)
            msg = (f"{name}(input {fmt_shape(x.shape)}, target {fmt_shape(y.shape)}) broadcasts to "
                   f"{fmt_shape(bshape)}: every prediction is compared with every target, so the loss "
                   f"learns the batch mean; make the shapes equal")
            out.append(Finding("warning", "loss_target_shape", line.file, line.line, msg, fixes or []))
        elif name in ("cross_entropy", "nll_loss"):
            x = ev.activations[0]
            src = _producer(trace, x)
            if src is not None and src.name in ("softmax", "log_softmax") and name == "cross_entropy":
                if src.name == "softmax":
                    fixes = _outer_call_fix(ev, 0, "{}.log()")
                    msg = (f"cross_entropy gets softmax probabilities {fmt_shape(x.shape)} (from "
                           f"{src.where.file.rsplit('/', 1)[-1]}:{src.where.line}) and applies log_softmax again: "
                           f"the loss is squashed towards log(C) and stops tracking the model; pass the logits "
                           f"(or, equivalently, the log of these probabilities)")
                    out.append(Finding("warning", "loss_input_type", ev.where.file, ev.where.line, msg, fixes or []))
            if src is not None and src.name == "softmax" and name == "nll_loss":
                msg = (f"nll_loss expects log-probabilities but gets softmax output {fmt_shape(x.shape)}; "
                       f"use log_softmax")
                out.append(Finding("warning", "loss_input_type", ev.where.file, ev.where.line, msg,
                                   _outer_call_fix(ev, 0, "{}.log()") or []))
    return out


def _producer(trace: Trace, meta: TensorMeta) -> OpEvent | None:
    if meta.producer is None:
        return None
    ev = trace.events[meta.producer]
    while ev.name in ("contiguous", "clone", "to", "float") and ev.activations and ev.activations[0].producer is not None:
        ev = trace.events[ev.activations[0].producer]
    return ev


def _loss_shape_fix(trace: Trace, ev: OpEvent, x: TensorMeta, y: TensorMeta):
    """Prefer undoing a squeeze that made the prediction 1-D; else reshape the target."""
    for meta, other in ((x, y), (y, x)):
        src = _producer(trace, meta)
        if src is not None and src.name in ("squeeze", "view", "reshape", "flatten") and src.activations \
                and src.activations[0].shape == other.shape and src.where is not None:
            fixes = edits.remove_method(src.where.file, src.where.line, src.name)
            if fixes:
                return fixes, src.where
    if x.numel == y.numel:
        src = edits.load(ev.where.file) if ev.where else None
        if src is not None:
            fixes = _outer_call_fix(ev, 1, "{}.view_as(" + _arg0_text(ev) + ")") if _arg0_text(ev) else None
            if fixes:
                return fixes, ev.where
    return [], ev.where


def _arg0_text(ev: OpEvent) -> str | None:
    src, node = _outer_call(ev)
    return src.code(node.args[0].value).strip() if node is not None else None


def _broadcast(a, b):
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and 1 not in (da, db):
            return None
        out.append(max(da, db))
    return tuple(reversed(out))


def compare_rules(watcher, trace: Trace) -> list[Finding]:
    out = []
    for ev in trace.events:
        if ev.name not in COMPARE or len(ev.activations) < 2 or ev.where is None or not ev.outputs:
            continue
        a, b = ev.activations[0], ev.activations[1]
        if not (a.known and b.known) or a.shape == b.shape or not a.shape or not b.shape:
            continue
        if a.role != "" and a.role != "input" or b.role != "" and b.role != "input":
            continue
        res = ev.outputs[0].numel or 0
        if res <= max(a.numel or 0, b.numel or 0):
            continue
        if any((_producer(trace, m) is not None and _producer(trace, m).name in EXPLICIT) for m in (a, b)):
            continue
        msg = (f"`{ev.where.code}` compares {fmt_shape(a.shape)} with {fmt_shape(b.shape)}, which broadcasts to "
               f"{fmt_shape(ev.outputs[0].shape)}: every prediction meets every target; make the shapes equal "
               f"(e.g. squeeze the column)")
        fixes = None
        if len(a.shape) == 1 and b.shape == (a.shape[0], 1):
            fixes = edits.wrap_compare_operand(ev.where.file, ev.where.line, 1, "{}.squeeze(1)")
        elif len(b.shape) == 1 and a.shape == (b.shape[0], 1):
            fixes = edits.wrap_compare_operand(ev.where.file, ev.where.line, 0, "{}.squeeze(1)")
        out.append(Finding("warning", "broadcasting", ev.where.file, ev.where.line, msg, fixes or []))
    return out


def rnn_layout_finding(watcher, step: OpEvent, module, inp: TensorMeta, batch: int, severity="warning"):
    site = watcher.site(module)
    mtype = type(module).__name__
    name = step.module.rsplit(".", 1)[-1] if step.module else mtype
    trace = watcher.trace
    batch_first_indexing = False
    for ev in trace.events[step.index + 1:]:
        if ev.name == "[]" and ev.activations and ev.activations[0].producer == step.index:
            idx = ev.args[1] if len(ev.args) > 1 else None
            if isinstance(idx, tuple) and len(idx) >= 2 and isinstance(idx[0], slice):
                batch_first_indexing = True
            break
    seq = inp.shape[1]
    if batch_first_indexing:
        fixes = edits.add_kwarg(site.file, site.line, (mtype,), "batch_first", "True") if site else None
        line = site or step.where
        how = "construct it with batch_first=True (the code after it already indexes [batch, time, …])"
    else:
        fixes, line = None, None
        if inp.producer is not None:
            prod = trace.events[inp.producer]
            line = hoist(prod.where, prod.stack, step.stack)
            if line is not None:
                fixes = edits.append_call(line.file, line.line, ".transpose(0, 1)")
        line = line or step.where
        how = "transpose its input to [time, batch, features] (the code after it reads time-first output)"
    msg = (f"{name} = {mtype}(…) without batch_first reads {fmt_shape(inp.shape)} as [time={inp.shape[0]}, "
           f"batch={seq}, features={inp.shape[2]}], but the batch has {batch} samples: it recurs across the samples "
           f"of the batch; {how}")
    return Finding(severity, "rnn_layout", line.file, line.line, msg, fixes or [])


def rnn_rules(watcher, trace: Trace) -> list[Finding]:
    out = []
    loader_b = batch_sizes(watcher, trace)
    if not loader_b:
        return out
    for ev in trace.events:
        if ev.module_type not in ("LSTM", "GRU", "RNN") or ev.name not in ("lstm", "gru", "rnn_tanh", "rnn_relu"):
            continue
        module = watcher.module(ev.module)
        if module is None or getattr(module, "batch_first", True) or not ev.activations:
            continue
        inp = ev.activations[0]
        if len(inp.shape) != 3 or inp.shape[0] not in loader_b or inp.shape[1] in loader_b:
            continue
        f = rnn_layout_finding(watcher, ev, module, inp, inp.shape[0])
        if f is not None:
            out.append(f)
    return out


def squeeze_rules(watcher, trace: Trace) -> list[Finding]:
    out = []
    small = {info.last_batch for info in (watcher.loaders if watcher else []) if info.iterated}
    for ev in trace.events:
        if ev.name != "squeeze" or not ev.activations or ev.where is None:
            continue
        if len(ev.args) > 1 or ev.kwargs:
            continue  # squeeze(dim) names what it drops
        x = ev.activations[0]
        b = model_batch(trace, ev.index)
        if not x.shape or not isinstance(x.shape[0], int):
            continue
        if x.shape[0] == 1 and (b == 1 or 1 in small):
            keep = [i for i, d in enumerate(x.shape) if d == 1 and i > 0]
            msg = (f"squeeze() on {fmt_shape(x.shape)} also drops the batch dimension when a batch has one sample; "
                   f"name the dimension to drop")
            fixes = edits.replace_call(ev.where.file, ev.where.line, ("squeeze",),
                                       "{self}.squeeze(" + str(keep[0]) + ")") if keep else None
            out.append(Finding("warning", "batch_dim_changed", ev.where.file, ev.where.line, msg, fixes or []))
    return out


def forced_shape_rules(watcher, trace: Trace) -> list[Finding]:
    out = []
    for ev in trace.events:
        if ev.name not in ("view", "reshape", "flatten") or not ev.activations or ev.where is None:
            continue
        src = _producer(trace, ev.activations[0])
        if src is not None and src.name in ("interpolate", "pad") and src.where is not None:
            msg = (f"{src.name} resizes {fmt_shape(src.activations[0].shape)} to {fmt_shape(src.outputs[0].shape)} "
                   f"right before a {ev.name}: it forces the flattened size instead of matching the next layer to "
                   f"the real one")
            out.append(Finding("info", "forced_shape", src.where.file, src.where.line, msg, []))
    return out


RULES = [view_rules, loss_rules, compare_rules, rnn_rules, squeeze_rules, forced_shape_rules]


def silent_findings(watcher) -> list[Finding]:
    trace = watcher.trace
    out: list[Finding] = []
    for rule in RULES:
        try:
            out.extend(rule(watcher, trace))
        except Exception:  # noqa: BLE001 - one broken rule must not hide the others
            import os
            if os.environ.get("TENSORSIGHT_DEBUG"):
                raise
    return out
