"""The crash rules, most specific first. Each takes a Crash and returns findings or None."""
from __future__ import annotations

import os
import re

from ..shapes import fmt_shape
from . import edits
from .crash import Crash, consumer_stack, frame_for, model_input, origin_fix, shapes
from .findings import Finding
from .layers import (ctor_arg_text, per_sample_factors, product_in_style, replace_ctor_arg,
                     size_text_from_producer)
from .origin import chain, hoist, top_call
from .retrace import retrace


def _base(path: str) -> str:
    return os.path.basename(path)


# -- layers whose size does not fit: repair them all in one fake pass -------------------------
def layer_mismatch(crash: Crash):
    ev = crash.failing
    if ev is None:
        return None
    msg = crash.msg
    layer_error = (
        (ev.name == "linear" and "cannot be multiplied" in msg)
        or (ev.name.startswith("conv") and "channels" in msg and "expected input" in msg)
        or (ev.name == "batch_norm" and "running_mean should contain" in msg)
        or (ev.name == "layer_norm" and "normalized_shape" in msg)
        or (ev.name in ("view", "reshape") and "is invalid for input of size" in msg))
    if not layer_error:
        return None
    if ev.name.startswith("conv") and "channels" in msg:
        channels_last = _channels_last(crash, ev)
        if channels_last:
            return channels_last
    return findings_from_retrace(crash, ev)


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


def missing_flatten(crash: Crash):
    """A Linear fed a [N, C, H, W] map: it multiplies the last axis only; flatten first."""
    ev = crash.failing
    if ev is None or ev.name != "linear" or "cannot be multiplied" not in crash.msg or len(ev.inputs) < 2:
        return None
    x, w = ev.inputs[0], ev.inputs[1]
    if len(x.shape) < 3 or not x.known:
        return None
    per = 1
    for d in x.shape[1:]:
        per *= d
    if per != w.shape[1]:
        return None
    line = ev.where
    module = crash.watcher.module(ev.module)
    fixes = None
    if line is not None and module is not None:
        name = ev.module.rsplit(".", 1)[-1]
        src = edits.load(line.file)
        if src is not None and any(edits.func_name(c.node).endswith(name) for c in edits.calls_covering(src, line.line)):
            fixes = edits.wrap_arg(line.file, line.line, (name,), 0, "{}.flatten(1)")
    if not fixes and module is not None:
        site = crash.watcher.site(module)
        src = edits.load(site.file) if site is not None else None
        if src is not None and edits.calls_covering(src, site.line, "Sequential"):
            nn_name = "nn." if "nn." in edits.line_of(site.file, site.line) else "torch.nn."
            fixes = edits.replace_call(site.file, site.line, (type(module).__name__,),
                                       nn_name + "Flatten(), {call}")
            line = site
    msg = (f"{ev.module or 'the linear layer'} gets {fmt_shape(x.shape)}: a Linear multiplies only the last axis "
           f"({x.shape[-1]}), but its in_features {w.shape[1]} = {'·'.join(str(d) for d in x.shape[1:])} is the whole "
           f"sample; flatten each sample first (x.flatten(1))")
    return [Finding("error", "linear_in_features", (line or crash.symptom).file, (line or crash.symptom).line,
                    msg, fixes or [])]


def findings_from_retrace(crash: Crash, ev, rewrites=None, lead: list | None = None):
    call = top_call(crash.trace, ev.index)
    module = crash.watcher.module(call.path) if call is not None else None
    findings: list[Finding] = list(lead or [])
    if module is not None and call.inputs:
        result = retrace(module, call.inputs, rewrites)
        for rep in result.repairs:
            f = repair_finding(crash, rep, result.trace)
            if f is not None:
                findings.append(f)
    if not findings:
        return None
    # the crash line is where the user saw it: say so in the first finding
    if crash.symptom is not None and "crashed" not in findings[0].message:
        first = findings[0]
        first.message += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line}: {crash.msg.splitlines()[0]})"
    return findings


def repair_finding(crash: Crash, rep, tr) -> Finding | None:
    w = crash.watcher
    ev = rep.event
    if rep.kind == "view":
        line = ev.where
        if line is None:
            return None
        x = ev.activations[0]
        total = x.numel or 0
        n = x.shape[0]
        per = total // n if n else total
        req = [a for a in ev.args[1:]] if len(ev.args) > 1 else list(ev.kwargs.values())
        req_s = ", ".join(str(r) for r in req)
        fixes = edits.replace_in_call_args(line.file, line.line, ("view", "reshape"), "{self}.size(0), -1")
        factors = [int(d) for d in x.shape[1:]]
        fact = "·".join(str(d) for d in factors)
        msg = (f"{ev.name}({req_s}) cannot fit {fmt_shape(x.shape)}: it holds {total} = {n} × {per} values, "
               f"so each of the {n} samples has {per} = {fact} features; flatten per sample with "
               f"{ev.name}(x.size(0), -1) → [{n}, {per}]")
        return Finding("error", "view_reshape", line.file, line.line, msg, fixes or [])
    from .layers import module_of
    module = (module_of(tr, w, ev.module) if ev.module else None) or rep.module
    if module is None:
        return None
    site = w.site(module)
    mtype = type(module).__name__
    name = ev.module.rsplit(".", 1)[-1] if ev.module else mtype
    name = f"layer {name}" if name.isdigit() else name
    x = ev.activations[0] if ev.activations else None
    if rep.kind == "linear_in":
        factors = per_sample_factors(tr, x) if x is not None else [rep.value]
        if not factors or _prod(factors) != rep.value:
            factors = [rep.value]
        old_text = ctor_arg_text(site, mtype, "in")
        new_text = product_in_style(old_text, rep.old, factors)
        fact = " = " + "·".join(str(f) for f in factors) if len(factors) > 1 else ""
        msg = (f"{name} = {mtype}({rep.old}, …) gets {fmt_shape(x.shape)}: its input has {rep.value}{fact} "
               f"features per sample, so in_features must be {rep.value}, not {rep.old}")
        fixes = replace_ctor_arg(site, mtype, "in", new_text)
        return _site_finding(site, ev, "linear_in_features", msg, fixes)
    if rep.kind == "conv_in":
        text = size_text_from_producer(tr, x, w, rep.value) or str(rep.value)
        msg = (f"{name} = {mtype}({rep.old}, …) gets {fmt_shape(x.shape)} with {rep.value} channels at dim 1, "
               f"so in_channels must be {rep.value}, not {rep.old}")
        fixes = replace_ctor_arg(site, mtype, "in", text)
        return _site_finding(site, ev, "conv_channels", msg, fixes)
    if rep.kind == "bn_features":
        text = size_text_from_producer(tr, x, w, rep.value) or str(rep.value)
        msg = (f"{name} = {mtype}({rep.old}) normalises {fmt_shape(x.shape)}, which has {rep.value} channels: "
               f"num_features must be {rep.value} ({text}), not {rep.old}")
        fixes = replace_ctor_arg(site, mtype, "in", text)
        return _site_finding(site, ev, "batchnorm_features", msg, fixes)
    if rep.kind == "ln_shape":
        value = rep.value[0] if len(rep.value) == 1 else list(rep.value)
        text = size_text_from_producer(tr, x, w, value) if isinstance(value, int) else None
        msg = (f"{name} = LayerNorm({rep.old}) gets {fmt_shape(x.shape)}: normalized_shape must be the "
               f"trailing size {value}")
        fixes = replace_ctor_arg(site, mtype, "in", text or str(value))
        return _site_finding(site, ev, "layernorm_shape", msg, fixes)
    return None


def _site_finding(site, ev, category, msg, fixes):
    line = site or ev.where
    if line is None:
        return None
    return Finding("error", category, line.file, line.line, msg, fixes or [])


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def _channels_last(crash: Crash, ev):
    m = re.search(r"to have (\d+) channels, but got (\d+) channels", crash.msg)
    if not m:
        return None
    want = int(m.group(1))
    x = ev.activations[0]
    if len(x.shape) < 3 or x.shape[-1] != want:
        return None
    inp = model_input(crash, ev) or x
    nd = len(inp.shape)
    rank = len(ev.inputs[1].shape) - 2 if len(ev.inputs) > 1 else nd - 2  # spatial dims of the conv

    def suffix(meta):
        n = len(meta.shape)
        if n == rank + 1:   # one sample, channels last: [*spatial, C] -> [C, *spatial]
            order = [rank] + list(range(rank))
        else:               # a batch: [N, *spatial, C] -> [N, C, *spatial]
            order = [0, n - 1] + list(range(1, n - 1))
        if order == [1, 0]:
            return ".t()"
        if len(order) == 3 and order == [0, 2, 1]:
            return ".transpose(1, 2)"
        return ".permute(" + ", ".join(str(i) for i in order) + ")"
    line, fixes = origin_fix(crash, inp, lambda e, m: len(m.shape) >= 3 and m.shape[-1] == want, suffix,
                             consumer_stack(crash, ev))
    if line is None:
        line = crash.symptom
    what = "images" if rank == 2 else "inputs"
    msg = (f"the {what} are channels-last: {fmt_shape(inp.shape)} has its {want} channels in the last dim, but "
           f"{ev.module or 'the conv'} reads dim 1 as channels ({inp.shape[1] if nd > 1 else '?'}); "
           f"move the channels to dim 1")
    return [Finding("error", "conv_channels", line.file, line.line,
                    msg + f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})" if crash.symptom else msg,
                    fixes or [])]


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


# -- loss targets: shape and dtype --------------------------------------------------------
def target_column(crash: Crash):
    if "multi-target not supported" not in crash.msg and "0D or 1D target tensor expected" not in crash.msg:
        return None
    ev = crash.failing
    if ev is None or len(ev.inputs) < 2:
        return None
    target = ev.inputs[1]
    if len(target.shape) < 2 or target.shape[-1] != 1:
        return None
    suffix = lambda meta: ".squeeze(1)" if len(meta.shape) == 2 else ".squeeze(-1)"  # noqa: E731
    line, fixes = origin_fix(crash, target, lambda e, m: len(m.shape) >= 1 and m.shape[-1] == 1 and
                             m.dtype == target.dtype or (e.name in ("long", "to") and m.shape[-1:] == (1,)),
                             suffix, consumer_stack(crash, ev))
    if not fixes:
        line = crash.symptom
        fixes = edits.wrap_arg(line.file, line.line, (), 1, "{}.squeeze(-1)") if line else None
    x = ev.inputs[0]
    msg = (f"cross-entropy takes class indices of shape [N] = [{x.shape[0]}] for logits {fmt_shape(x.shape)}, "
           f"but the target is a column {fmt_shape(target.shape)}; squeeze the label column to 1-D")
    if crash.symptom:
        msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
    return [Finding("error", "loss_target_shape", line.file, line.line, msg, fixes or [])]


_DTYPE = re.compile(r"expected scalar type (\w+) but found (\w+)|expected target dtype to be (\w+)|"
                    r"Found dtype (\w+) but expected (\w+)|Expected object of scalar type (\w+) but got scalar type (\w+)",
                    re.I)


def target_dtype(crash: Crash):
    m = _DTYPE.search(crash.msg)
    ev = crash.failing
    if not m or ev is None or len(ev.inputs) < 2 or "loss" not in ev.op and "entropy" not in ev.op:
        return None
    target = ev.inputs[1]
    is_float = target.dtype.startswith(("float", "bfloat", "half"))
    want_long = "Long" in crash.msg and is_float
    suffix = ".long()" if want_long else ".float()"
    keep = (lambda e, mm: mm.dtype == target.dtype)
    line, fixes = origin_fix(crash, target, keep, lambda meta: suffix, consumer_stack(crash, ev))
    if not fixes:
        line = crash.symptom
        fixes = edits.wrap_arg(line.file, line.line, (), 1, "{}" + suffix) if line else None
    kind = "class indices (int64)" if want_long else "float targets"
    msg = (f"{ev.op.rsplit('.', 1)[-1]} needs {kind}, but the target {fmt_shape(target.shape, target.dtype)} is "
           f"{target.dtype}; convert it where it is made: {suffix}")
    if crash.symptom:
        msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
    return [Finding("error", "dtype", line.file, line.line, msg, fixes or [])]


# -- batch sizes that disagree: a view that mixed samples, or an RNN reading time as batch ----
_BATCH = re.compile(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)")
_BCAST = re.compile(r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton "
                    r"dimension (\d+)")


def batch_mismatch(crash: Crash):
    ev = crash.failing
    m = _BATCH.search(crash.msg)
    dim = 0
    if m:
        got, want = int(m.group(1)), int(m.group(2))
    else:
        m = _BCAST.search(crash.msg)
        if not m or ev is None:
            return None
        a, b, dim = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if len(ev.activations) < 2:
            return None
        x, y = ev.activations[0], ev.activations[1]
        if not (len(x.shape) > dim and len(y.shape) > dim):
            return one_hot_compare(crash, ev)
        if dim != 0 and len(x.shape) != len(y.shape):
            return one_hot_compare(crash, ev)
        got, want = a, b
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
            from .silent import rnn_layout_finding
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
                from .silent import view_fix
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


def one_hot_compare(crash: Crash, ev):
    if ev.name not in ("==", "!=", "__eq__", "__ne__", "eq", "ne") or len(ev.activations) < 2:
        return None
    a, b = ev.activations[0], ev.activations[1]
    line = ev.where or crash.symptom
    if len(a.shape) == 1 and len(b.shape) == 2 and a.shape[0] == b.shape[0]:
        side, two = 1, b
    elif len(b.shape) == 1 and len(a.shape) == 2 and a.shape[0] == b.shape[0]:
        side, two = 0, a
    else:
        return None
    fixes = edits.wrap_compare_operand(line.file, line.line, side, "{}.argmax(1)")
    msg = (f"compares class indices {fmt_shape((a if side else b).shape)} with one-hot rows {fmt_shape(two.shape)}: "
           f"take the class index of the one-hot side with argmax(1)")
    return [Finding("error", "broadcasting", line.file, line.line, msg, fixes or [])]


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
    # resize the operand that came out of an upsampling (or else the later one) to the other
    up = next((i for i in (idx, 0) if _upsampled(crash.trace, acts[i])), idx)
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


# -- ids outside an embedding table --------------------------------------------------------
def embedding_index(crash: Crash):
    if "index out of range" not in crash.msg:
        return None
    ev = crash.failing
    if ev is None or ev.name != "embedding":
        return None
    ids, weight = ev.inputs[0], ev.inputs[1]
    rows = weight.shape[0]
    high = None
    for loc in reversed(crash.tb_locals):
        t = loc.get("input")
        if t is not None and hasattr(t, "max"):
            try:
                high = int(t.max())
            except Exception:  # noqa: BLE001
                pass
            break
    w = crash.watcher
    module = w.module(ev.module)
    # were the ids sampled from a distribution of the wrong width?
    from .origin import ancestors
    for step in ancestors(crash.trace, ids):
        if step.name in ("multinomial", "argmax", "topk", "max") and step.activations:
            width = step.activations[0].shape[-1]
            if width == rows:
                continue
            from .layers import feeding_layer
            layer = feeding_layer(crash.trace, step.activations[0]) or _through_softmax(crash.trace, step)
            if layer is None:
                continue
            lmod = w.module(layer.module)
            if lmod is None:
                continue
            site = w.site(lmod)
            ltype = type(lmod).__name__
            vocab_text = ctor_arg_text(w.site(module), type(module).__name__, "num") if module is not None else None
            fixes = replace_ctor_arg(site, ltype, "out", vocab_text or str(rows))
            msg = (f"ids are sampled from a distribution over {width} values (the width of {layer.module or ltype}), "
                   f"but the embedding has only {rows} rows; sampled ids up to {high if high is not None else width - 1} "
                   f"index past it. The output width must equal the vocabulary size {rows}")
            if crash.symptom:
                msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
            line = site or layer.where
            return [Finding("error", "embedding", line.file, line.line, msg, fixes or [])]
    site = w.site(module) if module is not None else None
    line = site or ev.where
    fixes = None
    if module is not None and high is not None and high >= rows:
        text = ctor_arg_text(site, type(module).__name__, "num")
        if text is not None and text.isdigit():
            fixes = replace_ctor_arg(site, type(module).__name__, "num", str(high + 1))
    msg = (f"an id reaches {high if high is not None else '≥ ' + str(rows)} but {ev.module or 'the embedding'} has "
           f"{rows} rows (ids must be < {rows}); num_embeddings must exceed the largest id"
           + (f" (at least {high + 1}: the vocabulary size)" if high is not None else ""))
    return [Finding("error", "embedding", line.file, line.line, msg, fixes or [])]


def _through_softmax(trace, step):
    from .layers import feeding_layer
    cur = step.activations[0]
    for _ in range(10):
        if cur.producer is None:
            return None
        ev = trace.events[cur.producer]
        if ev.name in ("embedding", "linear"):
            return ev
        if not ev.activations:
            return None
        if ev.name in ("softmax", "log_softmax", "[]", "view", "reshape", "__truediv__", "div", "exp"):
            cur = ev.activations[0]
            continue
        return feeding_layer(trace, cur)
    return None


def view_not_contiguous(crash: Crash):
    if "view size is not compatible with input tensor's size and stride" not in crash.msg:
        return None
    ev = crash.failing
    line = ev.where if ev is not None and ev.where is not None else crash.symptom
    if line is None:
        return None
    fixes = edits.replace_call(line.file, line.line, ("view",), "{self}.reshape({args})")
    x = ev.activations[0] if ev is not None and ev.activations else None
    msg = ("view needs memory laid out in order, but this tensor "
           + (f"{fmt_shape(x.shape)} " if x is not None else "")
           + "was transposed/permuted before: use reshape (or .contiguous().view)")
    return [Finding("error", "view_reshape", line.file, line.line, msg, fixes or [])]


# -- dtypes: a float64 input into a float32 model, float ids into an embedding ----------------
_MIXED = re.compile(r"mat1 and mat2 must have the same dtype, but got (\w+) and (\w+)|"
                    r"Input type \(([\w.]+)\) and weight type \(([\w.]+)\) should be the same|"
                    r"expected (?:mat1 and mat2|m1 and m2|input and weight|scalar type) .*?(Double|Float|Half)",
                    re.I)


def input_dtype(crash: Crash):
    ev = crash.failing
    if ev is None or not ev.inputs:
        return None
    msg = crash.msg
    x = ev.inputs[0]
    if ev.name == "embedding" and ("indices" in msg or "Long, Int" in msg) and x.dtype.startswith(("float", "double")):
        suffix, why = ".long()", f"embedding ids must be integers, but got {x.dtype} {fmt_shape(x.shape)}"
    elif _MIXED.search(msg) and len(ev.inputs) > 1 and x.dtype != ev.inputs[1].dtype and ev.inputs[1].role == "weight":
        w = ev.inputs[1]
        if w.dtype != "float32" or not x.dtype.startswith(("float", "double", "int", "uint")):
            return None
        suffix = ".float()"
        why = (f"the input is {x.dtype} {fmt_shape(x.shape)} but the weights of {ev.module or ev.op} are float32 "
               f"(numpy arrays are float64 by default)")
    else:
        return None
    keep = lambda e, m: m.dtype == x.dtype  # noqa: E731
    line, fixes = origin_fix(crash, x, keep, lambda meta: suffix, consumer_stack(crash, ev))
    line = line or crash.symptom
    msg = why + f"; convert it where it is made: {suffix}"
    if crash.symptom:
        msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
    return [Finding("error", "dtype", line.file, line.line, msg, fixes or [])]


# -- classification targets outside the output layer's classes -----------------------------
_BOUNDS = re.compile(r"Target (-?\d+) is out of bounds")


def target_out_of_bounds(crash: Crash):
    m = _BOUNDS.search(crash.msg)
    ev = crash.failing
    if not m or ev is None or len(ev.inputs) < 2:
        return None
    x = ev.inputs[0]
    classes = x.shape[1] if len(x.shape) > 1 else x.shape[0]
    high = int(m.group(1))
    for loc in reversed(crash.tb_locals):
        t = loc.get("target")
        if t is not None and hasattr(t, "max"):
            try:
                high = max(high, int(t.max()))
            except Exception:  # noqa: BLE001
                pass
            break
    from .layers import feeding_layer, module_of
    layer = feeding_layer(crash.trace, x)
    module = module_of(crash.trace, crash.watcher, layer.module) if layer is not None else None
    site = crash.watcher.site(module) if module is not None else None
    fixes = replace_ctor_arg(site, type(module).__name__, "out", str(high + 1)) if module is not None else None
    line = site or crash.symptom
    msg = (f"the labels go up to {high} but the model outputs {classes} classes ({fmt_shape(x.shape)}): the output "
           f"layer needs at least {high + 1} (labels must be 0…C−1)")
    if crash.symptom:
        msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
    return [Finding("error", "loss_target_shape", line.file, line.line, msg, fixes or [])]


# -- cross-entropy on [N, T, C] logits: classes must be at dim 1 -------------------------------
def classes_not_at_dim1(crash: Crash):
    ev = crash.failing
    if ev is None or ev.name not in ("cross_entropy", "nll_loss") or len(ev.activations) < 2:
        return None
    x, y = ev.activations[0], ev.activations[1]
    if "Expected target size" not in crash.msg and "expected target size" not in crash.msg.lower():
        return None
    if len(x.shape) != 3 or y.shape != x.shape[:2]:
        return None
    line = ev.where or crash.symptom
    from .silent import _outer_call_fix
    fixes = _outer_call_fix(ev, 0, "{}.transpose(1, 2)")
    msg = (f"cross_entropy reads classes from dim 1, but the logits {fmt_shape(x.shape)} have their {x.shape[2]} "
           f"classes last (target {fmt_shape(y.shape)}); pass logits.transpose(1, 2) → [{x.shape[0]}, {x.shape[2]}, "
           f"{x.shape[1]}] (or flatten both: logits.view(-1, {x.shape[2]}), target.view(-1))")
    return [Finding("error", "loss_target_shape", line.file, line.line, msg, fixes or [])]


# -- RNN input_size --------------------------------------------------------------------------
_RNN_IN = re.compile(r"input.size\(-1\) must be equal to input_size. Expected (\d+), got (\d+)")


def rnn_input_size(crash: Crash):
    m = _RNN_IN.search(crash.msg)
    if not m:
        return None
    want, got = int(m.group(1)), int(m.group(2))
    module = None
    for loc in reversed(crash.tb_locals):
        cand = loc.get("self")
        if isinstance(cand, __import__("torch").nn.RNNBase):
            module = cand
            break
    if module is None:
        return None
    site = crash.watcher.site(module)
    fixes = replace_ctor_arg(site, type(module).__name__, "in", str(got))
    line = site or crash.symptom
    msg = (f"{type(module).__name__}(input_size={want}, …) gets {got} features per step: input_size must be {got} "
           f"(or the input's last axis must hold {want} features)")
    return [Finding("error", "rnn_layout", line.file, line.line, msg, fixes or [])]


# -- spatial targets with a channel axis -------------------------------------------------------
def spatial_target_channel(crash: Crash):
    if "only batches of spatial targets supported" not in crash.msg and "Expected target size" not in crash.msg:
        return None
    ev = crash.failing
    if ev is None or len(ev.activations) < 2:
        return None
    x, y = ev.activations[0], ev.activations[1]
    if len(y.shape) != len(x.shape) or len(y.shape) < 3 or y.shape[1] != 1 or y.shape[2:] != x.shape[2:]:
        return None
    line, fixes = origin_fix(crash, y, lambda e, mm: len(mm.shape) >= 2 and (1 in mm.shape),
                             lambda meta: ".squeeze(1)" if len(meta.shape) == len(y.shape) else ".squeeze(0)",
                             consumer_stack(crash, ev))
    if not fixes:
        line = ev.where or crash.symptom
        from .silent import _outer_call_fix
        fixes = _outer_call_fix(ev, 1, "{}.squeeze(1)")
    msg = (f"segmentation targets are class ids of shape [N, H, W] = {fmt_shape((y.shape[0], *y.shape[2:]))}, but "
           f"the mask has a channel axis {fmt_shape(y.shape)}; squeeze it (and make it long)")
    return [Finding("error", "loss_target_shape", line.file, line.line, msg, fixes or [])]


_TARGET_SIZE = re.compile(r"Target size \(torch.Size\((\[[\d, ]*\])\)\) must be the same as input size|"
                          r"Using a target size .* that is different to the input size")


def loss_size_mismatch(crash: Crash):
    """A loss that needs input and target of one shape: [N, 1] vs [N], or class ids into MSE."""
    ev = crash.failing
    if ev is None or len(ev.activations) < 2 or ev.where is None:
        return None
    from .silent import LOSSES, _loss_shape_fix, _outer_call_fix
    if ev.name not in LOSSES:
        return None
    x, y = ev.activations[0], ev.activations[1]
    if x.shape == y.shape or (x.shape[:1] != y.shape[:1] and x.shape and y.shape):
        return None  # different batch sizes: batch_mismatch finds where the batch got lost
    if _TARGET_SIZE.search(crash.msg) or _BCAST.search(crash.msg):
        if len(x.shape) == 2 and len(y.shape) == 1 and y.shape[0] == x.shape[0] and x.shape[1] > 1 \
                and not y.dtype.startswith(("float", "double", "half", "bfloat")):
            fn = edits.imports_functional_as(ev.where.file)
            fixes = _outer_call_fix(ev, 1, fn + ".one_hot({}, " + str(x.shape[1]) + ").float()")
            msg = (f"{ev.name} compares each output row {fmt_shape(x.shape)} with a target of the same shape, but the "
                   f"target {fmt_shape(y.shape, y.dtype)} holds class indices: one-hot them "
                   f"(F.one_hot(target, {x.shape[1]}).float()), or use cross_entropy on the logits")
            return [Finding("error", "loss_target_shape", ev.where.file, ev.where.line, msg, fixes or [])]
        fixes, line = _loss_shape_fix(crash.trace, ev, x, y)
        msg = (f"{ev.name} needs input and target of one shape, but got input {fmt_shape(x.shape)} and target "
               f"{fmt_shape(y.shape)}; make them equal")
        return [Finding("error", "loss_target_shape", line.file, line.line, msg, fixes or [])]
    return None


RULES = [partial_batch, missing_flatten, layer_mismatch, view_not_contiguous, input_dtype, batch_of_one, missing_batch,
         target_column, spatial_target_channel, classes_not_at_dim1, target_dtype, target_out_of_bounds,
         batch_mismatch, loss_size_mismatch, rnn_input_size, cat_mismatch, bmm_rank, embedding_index]

_ = (hoist, shapes, frame_for, size_text_from_producer)
