"""Crash rules about the batch axis: a partial last batch, a missing batch axis, a view or an RNN
that mixes samples, skip connections and bmm operands that do not line up."""
from __future__ import annotations

import os
import re

from ...shapes import fmt_shape
from ..edit import edits
from .crash import Crash, consumer_stack, origin_fix
from ..findings import Finding
from ..edit.origin import chain, hoist
from .data import _BCAST, one_hot_compare
from .layers import findings_from_retrace


def _base(path: str) -> str:
    return os.path.basename(path)


def partial_batch(crash: Crash):
    """The crash came with the DataLoader's last, smaller batch: something assumed the full size."""
    calls = [c for c in crash.trace.modules if c.depth == 0 and c.inputs and c.inputs[0].shape]
    if not calls:
        return None
    now = calls[-1]
    b_now = now.inputs[0].shape[0]
    for info in crash.watcher.loaders:
        if not info.iterated or info.last_batch != b_now or info.batch_size == b_now:
            continue
        full = info.batch_size
        if not any(c.type == now.type and c.inputs[0].shape[:1] == (full,) for c in calls[:-1]):
            continue
        # an op with the full batch size written into it
        for ev in reversed(crash.trace.events[now.start:]):
            if ev.name in ("view", "reshape", "expand", "repeat") and ev.where is not None and len(ev.args) > 1 \
                    and ev.args[1] == full and ev.activations and ev.activations[0].shape[:1] == (b_now,):
                fixes = edits.batch_arg_to_size(ev.where.file, ev.where.line, (ev.name,), full)
                msg = (f"{ev.name}{_args_text(ev)} writes the batch size {full} into the code, but the last batch of "
                       f"the epoch has {b_now} samples ({info.dataset_len} = {info.dataset_len // full}·{full} + "
                       f"{b_now}); use x.size(0)")
                if crash.symptom:
                    msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line}: {crash.msg.splitlines()[0]})"
                return [Finding("error", "last_partial_batch", ev.where.file, ev.where.line, msg, fixes or [])]
        if info.where is None:
            continue
        fixes = edits.add_kwarg(info.where.file, info.where.line, ("DataLoader",), "drop_last", "True")
        msg = (f"the crash comes with the last, partial batch: {info.dataset_len} = {info.dataset_len // full}·{full} + "
               f"{b_now} samples, and the code works with batches of {full} but not {b_now}; drop the partial batch "
               f"(drop_last=True) or make the code size-agnostic")
        if crash.symptom:
            msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line}: {crash.msg.splitlines()[0]})"
        return [Finding("error", "last_partial_batch", info.where.file, info.where.line, msg, fixes or [])]
    return None


def _args_text(ev) -> str:
    return "(" + ", ".join(str(a) for a in ev.args[1:]) + ")"


# -- a batch of one where BatchNorm needs more ---------------------------------------------
def batch_of_one(crash: Crash):
    if "Expected more than 1 value per channel when training" not in crash.msg:
        return None
    for info in crash.watcher.loaders:
        if info.last_batch == 1 and info.where is not None:
            full = info.dataset_len // info.batch_size
            fixes = edits.add_kwarg(info.where.file, info.where.line, ("DataLoader",), "drop_last", "True")
            msg = (f"the dataset has {info.dataset_len} = {full}·{info.batch_size} + 1 samples, so the last batch of "
                   f"every epoch holds 1 sample and BatchNorm in training mode cannot compute batch statistics "
                   f"from it; drop the incomplete batch (drop_last=True)")
            if crash.symptom:
                msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
            return [Finding("error", "last_partial_batch", info.where.file, info.where.line, msg, fixes or [])]
    msg = ("BatchNorm in training mode got a batch of 1 sample: batch statistics need at least 2; "
           "use model.eval() for single-sample inference or a batch of 2 or more")
    return [crash.finding(crash.symptom, "batch_size", msg)]


# -- a single sample without its batch dimension -------------------------------------------
_NDIM = re.compile(r"expected (\d)D input \(got (\d)D input\)|Expected (\d)D \(unbatched\) or (\d)D \(batched\) input.*"
                   r"got input of size: \[([\d, ]+)\]|expected (\d)D or (\d)D input \(got (\d)D input\)", re.I)


def missing_batch(crash: Crash):
    m = _NDIM.search(crash.msg)
    if not m:
        return None
    ev = crash.failing
    call = _last_top_call(crash)
    if call is None or not call.inputs:
        return None
    inp = call.inputs[0]
    nums = [int(g) for g in m.groups() if g and g.isdigit()]
    want = max(nums) if nums else len(inp.shape) + 1
    got = (len(ev.activations[0].shape) if ev is not None and ev.activations else
           min(nums) if nums else len(inp.shape))
    if got + 1 != want or len(inp.shape) + 1 > want:
        return None
    consumer = consumer_stack(crash, ev) if ev is not None else crash.stack
    line, fixes = origin_fix(crash, inp, lambda e, mm: len(mm.shape) == len(inp.shape),
                             lambda meta: ".unsqueeze(0)", consumer, newest=True)
    if line is None:
        return None
    where = (ev.module if ev is not None else "") or "the model"
    msg = (f"the model gets one sample without a batch dimension: {fmt_shape(inp.shape)}; "
           f"{where} needs {want}-D input [N, …], so add the batch axis: unsqueeze(0) → "
           f"[1, {', '.join(str(d) for d in inp.shape)}]")
    if crash.symptom:
        msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
    return [Finding("error", "batch_dim_changed", line.file, line.line, msg, fixes or [])]


def _last_top_call(crash: Crash):
    for call in reversed(crash.trace.modules):
        if call.depth == 0:
            return call
    return None


# -- batch sizes that disagree: a view that mixed samples, or an RNN reading time as batch ----
_BATCH = re.compile(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)")



def batch_mismatch(crash: Crash):
    ev = crash.failing
    m = _BATCH.search(crash.msg)
    dim = 0
    if m:
        want = int(m.group(2))
    else:
        m = _BCAST.search(crash.msg)
        if not m or ev is None:
            return None
        b, dim = int(m.group(2)), int(m.group(3))
        if len(ev.activations) < 2:
            return None
        x, y = ev.activations[0], ev.activations[1]
        if not (len(x.shape) > dim and len(y.shape) > dim):
            return one_hot_compare(crash, ev)
        if dim != 0 and len(x.shape) != len(y.shape):
            return one_hot_compare(crash, ev)
        want = b
    if ev is None or not ev.activations:
        return None
    x = ev.activations[0]
    rnn = _rnn_layout(crash, ev, x, want)
    if rnn:
        return rnn
    view = _mixing_view(crash, x, want)
    if view is not None:
        return view
    return None


def _rnn_layout(crash: Crash, ev, x, batch: int):
    tr = crash.trace
    for step in chain(tr, x, lambda e, m: True, ops=None, limit=60):
        if step.name in ("lstm", "gru", "rnn_tanh", "rnn_relu") or step.module_type in ("LSTM", "GRU", "RNN"):
            module = crash.watcher.module(step.module)
            if module is None or getattr(module, "batch_first", True):
                return None
            inp = step.activations[0]
            if len(inp.shape) != 3 or inp.shape[0] != batch or inp.shape[1] == batch:
                return None
            from ..provenance.silent import rnn_layout_finding
            f = rnn_layout_finding(crash.watcher, step, module, inp, batch, severity="error")
            if f is not None and crash.symptom:
                f.message += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line}: {crash.msg.splitlines()[0]})"
            return [f] if f else None
    return None


def _mixing_view(crash: Crash, x, batch: int):
    tr = crash.trace
    for step in chain(tr, x, lambda e, m: True, ops=None, limit=80):
        if step.name in ("view", "reshape") and step.activations:
            src = step.activations[0]
            out = step.outputs[0]
            if src.shape and out.shape and src.shape[0] == batch and out.shape[0] != batch:
                from ..provenance.silent import view_fix
                fixes = view_fix(step)
                line = step.where
                per = (src.numel or 0) // batch if batch else 0
                row = (out.numel or 0) // out.shape[0] if out.shape[0] else 0
                msg = (f"{step.name} turned the batch {fmt_shape(src.shape)} into {fmt_shape(out.shape)}: each sample "
                       f"has {per} = {'·'.join(str(d) for d in src.shape[1:])} values but rows of {row} were asked for, "
                       f"so {out.shape[0]} rows mix the {batch} samples; flatten per sample with "
                       f"{step.name}(x.size(0), -1)")
                if crash.symptom:
                    msg += (f" (it crashed later at {_base(crash.symptom.file)}:{crash.symptom.line}: "
                            f"{crash.msg.splitlines()[0]})")
                lead = [Finding("error", "view_reshape", line.file, line.line, msg, fixes or [])]
                key = (line.file, line.line, step.op)

                def rewrite(rec, event, func, args, kwargs, _key=key):
                    if event.where is not None and (event.where.file, event.where.line, event.op) == _key:
                        return args[0].reshape(args[0].shape[0], -1)
                    return None
                more = findings_from_retrace(crash, step, rewrites=rewrite, lead=lead)
                return more or lead
    return None


# -- concatenation of skip connections with different sizes ----------------------------
_CAT = re.compile(r"Sizes of tensors must match except in dimension (\d+)\. Expected size (\d+) but got size (\d+) "
                  r"for tensor number (\d+)")


def cat_mismatch(crash: Crash):
    m = _CAT.search(crash.msg)
    ev = crash.failing
    if not m or ev is None or ev.name not in ("cat", "concat", "concatenate"):
        return None
    cat_dim, want, got, idx = (int(g) for g in m.groups())
    line = ev.where
    acts = ev.activations
    if len(acts) <= idx:
        return None
    # resize the operand that came out of an upsampling to the other; without one (and a
    # spatial axis that differs) this is not a skip connection, and the story below is not its own
    up = next((i for i in (idx, 0) if _upsampled(crash.trace, acts[i])), None)
    if up is None or not any(a != b for a, b in zip(acts[0].shape[2:], acts[idx].shape[2:])):
        return None
    ref = 0 if up == idx else idx
    small, big = acts[up].shape, acts[ref].shape
    fn = edits.imports_functional_as(line.file)
    fixes = None
    up_text = edits.list_element_text(line.file, line.line, ("cat", "concat"), up)
    ref_text = edits.list_element_text(line.file, line.line, ("cat", "concat"), ref)
    made = crash.trace.events[acts[up].producer] if acts[up].producer is not None else None
    if made is not None and up_text and ref_text and ref_text.isidentifier() and len(acts[up].shape) >= 3:
        # resize where the upsampled map is made, if that is `x = ...` in the same function
        at = hoist(made.where, made.stack, ev.stack)
        if at is not None and at.file == line.file and at.line < line.line \
                and edits.assigned_names(at.file, at.line) == [up_text]:
            fixes = edits.wrap_assigned_value(at.file, at.line, fn + ".interpolate({}, size=" + ref_text + ".shape[2:])")
            if fixes:
                line = at
    if not fixes and len(acts[up].shape) >= 3:
        fixes = edits.wrap_list_element(line.file, line.line, ("cat", "concat"), up,
                                        fn + ".interpolate({}, size={ref}.shape[2:])", ref_index=ref)
    sizes = " and ".join(fmt_shape(t.shape) for t in acts)
    diff = next((f"{b} came back as {a}" for a, b in zip(small[2:], big[2:]) if a != b), f"{want} ≠ {got}")
    msg = (f"torch.cat along dim {cat_dim} needs equal sizes elsewhere, but got {sizes}: pooling floors odd sizes "
           f"and the upsampling doubles them, so {diff}; resize the upsampled map to the skip's size (or use "
           f"inputs divisible by the total downsampling factor)")
    return [Finding("error", "cat_stack", line.file, line.line, msg, fixes or [])]


def _upsampled(trace, meta) -> bool:
    cur = meta
    for _ in range(6):
        if cur.producer is None:
            return False
        ev = trace.events[cur.producer]
        if ev.name.startswith("conv_transpose") or ev.name in ("interpolate", "upsample", "upsample_nearest2d",
                                                               "upsample_bilinear2d", "pixel_shuffle"):
            return True
        if not ev.activations:
            return False
        cur = ev.activations[0]
    return False


# -- bmm/matmul with a 2-D operand -------------------------------------------------------
_BMM = re.compile(r"batch([12]) must be a 3D tensor|Expected 3-dimensional tensor, but got 2-dimensional tensor "
                  r"for argument #(\d) 'batch([12])'")


def bmm_rank(crash: Crash):
    m = _BMM.search(crash.msg)
    ev = crash.failing
    if not m or ev is None:
        return None
    which = int(m.group(1) or m.group(3))
    acts = ev.activations
    if len(acts) < 2:
        return None
    a, b = acts[0], acts[1]
    line = ev.where
    if which == 1 and len(a.shape) == 2 and len(b.shape) == 3 and a.shape[0] == b.shape[0]:
        sugg = ".unsqueeze(1)"
        if edits.is_function_call(line.file, line.line, "bmm"):
            fixes = edits.wrap_arg(line.file, line.line, ("bmm",), 0, "{}" + sugg)
        else:
            fixes = edits.wrap_receiver(line.file, line.line, ("bmm",), "{}" + sugg)
        msg = (f"bmm multiplies batches of matrices: {fmt_shape(a.shape)} is one row per sample, not a [B, 1, "
               f"{a.shape[1]}] batch; add the middle axis with unsqueeze(1) so {fmt_shape(a.shape)} @ "
               f"{fmt_shape(b.shape)} → [{b.shape[0]}, 1, {b.shape[2]}]")
    elif which == 2 and len(b.shape) == 2 and len(a.shape) == 3:
        sugg = ".unsqueeze(2)"
        fixes = edits.wrap_arg(line.file, line.line, ("bmm",),
                               1 if edits.is_function_call(line.file, line.line, "bmm") else 0, "{}" + sugg)
        msg = f"bmm needs 3-D operands: {fmt_shape(b.shape)} needs a trailing axis (unsqueeze(2))"
    else:
        return None
    return [Finding("error", "matmul", line.file, line.line, msg, fixes or [])]
