"""Crash rules about layers whose size does not fit: wrong in_features/in_channels/num_features,
a missing flatten, channels-last inputs, an embedding table too small."""
from __future__ import annotations

import os
import re

from ...shapes import fmt_shape
from ..edit import edits
from .crash import Crash, consumer_stack, model_input, origin_fix
from ..findings import Finding
from ..edit.layer_args import (ctor_arg_text, per_sample_factors, product_in_style, replace_ctor_arg,
                     size_text_from_producer)
from ..edit.origin import top_call
from ..run.retrace import retrace


def _base(path: str) -> str:
    return os.path.basename(path)


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


def findings_from_retrace(crash: Crash, ev, rewrites=None, lead: list | None = None):
    call = top_call(crash.trace, ev.index)
    module = crash.watcher.module(call.path) if call is not None else None
    findings: list[Finding] = list(lead or [])
    if module is not None and call.inputs:
        result = retrace(module, call.inputs, rewrites, call.kwargs)
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
    from ..edit.layer_args import module_of
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
        old_text = ctor_arg_text(site, mtype, "in", module)
        new_text = product_in_style(old_text, rep.old, factors)
        fact = " = " + "·".join(str(f) for f in factors) if len(factors) > 1 else ""
        msg = (f"{name} = {mtype}({rep.old}, …) gets {fmt_shape(x.shape)}: its input has {rep.value}{fact} "
               f"features per sample, so in_features must be {rep.value}, not {rep.old}")
        fixes = replace_ctor_arg(site, mtype, "in", new_text, module)
        return _site_finding(site, ev, "linear_in_features", msg, fixes)
    if rep.kind == "conv_in":
        text = size_text_from_producer(tr, x, w, rep.value) or str(rep.value)
        msg = (f"{name} = {mtype}({rep.old}, …) gets {fmt_shape(x.shape)} with {rep.value} channels at dim 1, "
               f"so in_channels must be {rep.value}, not {rep.old}")
        fixes = replace_ctor_arg(site, mtype, "in", text, module)
        return _site_finding(site, ev, "conv_channels", msg, fixes)
    if rep.kind == "bn_features":
        text = size_text_from_producer(tr, x, w, rep.value) or str(rep.value)
        msg = (f"{name} = {mtype}({rep.old}) normalises {fmt_shape(x.shape)}, which has {rep.value} channels: "
               f"num_features must be {rep.value} ({text}), not {rep.old}")
        fixes = replace_ctor_arg(site, mtype, "in", text, module)
        return _site_finding(site, ev, "batchnorm_features", msg, fixes)
    if rep.kind == "ln_shape":
        value = rep.value[0] if len(rep.value) == 1 else list(rep.value)
        text = size_text_from_producer(tr, x, w, value) if isinstance(value, int) else None
        msg = (f"{name} = LayerNorm({rep.old}) gets {fmt_shape(x.shape)}: normalized_shape must be the "
               f"trailing size {value}")
        fixes = replace_ctor_arg(site, mtype, "in", text or str(value), module)
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
    fixes = replace_ctor_arg(site, type(module).__name__, "in", str(got), module)
    line = site or crash.symptom
    msg = (f"{type(module).__name__}(input_size={want}, …) gets {got} features per step: input_size must be {got} "
           f"(or the input's last axis must hold {want} features)")
    return [Finding("error", "rnn_layout", line.file, line.line, msg, fixes or [])]


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
    from ..edit.origin import ancestors
    for step in ancestors(crash.trace, ids):
        if step.name in ("multinomial", "argmax", "topk", "max") and step.activations:
            width = step.activations[0].shape[-1]
            if width == rows:
                continue
            from ..edit.layer_args import feeding_layer
            layer = feeding_layer(crash.trace, step.activations[0]) or _through_softmax(crash.trace, step)
            if layer is None:
                continue
            lmod = w.module(layer.module)
            if lmod is None:
                continue
            site = w.site(lmod)
            ltype = type(lmod).__name__
            vocab_text = ctor_arg_text(w.site(module), type(module).__name__, "num", module) if module is not None else None
            fixes = replace_ctor_arg(site, ltype, "out", vocab_text or str(rows), lmod)
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
        text = ctor_arg_text(site, type(module).__name__, "num", module)
        if text is not None and text.isdigit():
            fixes = replace_ctor_arg(site, type(module).__name__, "num", str(high + 1), module)
    msg = (f"an id reaches {high if high is not None else '≥ ' + str(rows)} but {ev.module or 'the embedding'} has "
           f"{rows} rows (ids must be < {rows}); num_embeddings must exceed the largest id"
           + (f" (at least {high + 1}: the vocabulary size)" if high is not None else ""))
    return [Finding("error", "embedding", line.file, line.line, msg, fixes or [])]


def _through_softmax(trace, step):
    from ..edit.layer_args import feeding_layer
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
