"""Crash rules about what the data and targets look like: dtypes, label columns, class ids."""
from __future__ import annotations

import os
import re

from ...shapes import fmt_shape
from ..edit import edits
from .crash import Crash, consumer_stack, origin_fix
from ..findings import Finding
from ..edit.layer_args import replace_ctor_arg


def _base(path: str) -> str:
    return os.path.basename(path)


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


_BCAST = re.compile(r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton "
                    r"dimension (\d+)")
_TARGET_SIZE = re.compile(r"Target size \(torch.Size\((\[[\d, ]*\])\)\) must be the same as input size|"
                          r"Using a target size .* that is different to the input size")


def loss_size_mismatch(crash: Crash):
    """A loss that needs input and target of one shape: [N, 1] vs [N], or class ids into MSE."""
    ev = crash.failing
    if ev is None or len(ev.activations) < 2 or ev.where is None:
        return None
    from ..provenance.silent import LOSSES, _loss_shape_fix, _outer_call_fix
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
        from ..provenance.silent import _outer_call_fix
        fixes = _outer_call_fix(ev, 1, "{}.squeeze(1)")
    msg = (f"segmentation targets are class ids of shape [N, H, W] = {fmt_shape((y.shape[0], *y.shape[2:]))}, but "
           f"the mask has a channel axis {fmt_shape(y.shape)}; squeeze it (and make it long)")
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
    from ..provenance.silent import _outer_call_fix
    fixes = _outer_call_fix(ev, 0, "{}.transpose(1, 2)")
    msg = (f"cross_entropy reads classes from dim 1, but the logits {fmt_shape(x.shape)} have their {x.shape[2]} "
           f"classes last (target {fmt_shape(y.shape)}); pass logits.transpose(1, 2) → [{x.shape[0]}, {x.shape[2]}, "
           f"{x.shape[1]}] (or flatten both: logits.view(-1, {x.shape[2]}), target.view(-1))")
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
    odd = _odd_operand(crash.msg, ev)
    if odd is not None:
        return _operand_dtype(crash, ev, odd)
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


_FOUND = {"double": "float64", "float": "float32", "half": "float16", "long": "int64", "int": "int32"}


def _odd_operand(msg: str, ev):
    """The operand past the target (a class weight, a pos_weight) whose dtype is the one the
    message says it found, when neither the prediction nor the target has it: that operand,
    not the target, is what has the wrong dtype."""
    m = re.search(r"expected scalar type (\w+) but found (\w+)", msg, re.I)
    if not m:
        return None
    want, found = _FOUND.get(m.group(1).lower()), _FOUND.get(m.group(2).lower())
    if want is None or found is None or any(t.dtype == found for t in ev.inputs[:2]):
        return None
    return next((t for t in ev.inputs[2:] if t.dtype == found and t.dtype != want), None)


def _operand_dtype(crash: Crash, ev, odd):
    want = "float32" if ev.inputs[0].dtype == "float32" else ev.inputs[0].dtype
    suffix = {"float32": ".float()", "float64": ".double()", "float16": ".half()"}.get(want, ".float()")
    keep = (lambda e, mm: mm.dtype == odd.dtype)
    line, fixes = origin_fix(crash, odd, keep, lambda meta: suffix, consumer_stack(crash, ev))
    line = line or crash.symptom
    if line is None:
        return None
    # made by a call that takes dtype= (torch.tensor(...)): say the dtype there, no cast after it
    from ..repair.templates_origin import _MAKERS
    made = edits.add_kwarg(line.file, line.line, _MAKERS, "dtype", f"torch.{want}")
    if made:
        fixes, suffix = made, f"dtype=torch.{want}"
    x = ev.inputs[0]
    msg = (f"{ev.op.rsplit('.', 1)[-1]} gets the prediction {fmt_shape(x.shape, x.dtype)} with a "
           f"{fmt_shape(odd.shape, odd.dtype)} operand (its class weight): every float operand must be {want}; "
           f"convert it where it is made: {suffix}")
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
    if high < 0:
        return None   # ids below 0: no output layer is wide enough (the repair search shifts them)
    for loc in reversed(crash.tb_locals):
        t = loc.get("target")
        if t is not None and hasattr(t, "max"):
            try:
                high = max(high, int(t.max()))
            except Exception:  # noqa: BLE001
                pass
            break
    from ..edit.layer_args import feeding_layer, module_of
    layer = feeding_layer(crash.trace, x)
    module = module_of(crash.trace, crash.watcher, layer.module) if layer is not None else None
    site = crash.watcher.site(module) if module is not None else None
    fixes = replace_ctor_arg(site, type(module).__name__, "out", str(high + 1), module) if module is not None else None
    line = site or crash.symptom
    msg = (f"the labels go up to {high} but the model outputs {classes} classes ({fmt_shape(x.shape)}): the output "
           f"layer needs at least {high + 1} (labels must be 0…C−1)")
    if crash.symptom:
        msg += f" (it crashed at {_base(crash.symptom.file)}:{crash.symptom.line})"
    return [Finding("error", "loss_target_shape", line.file, line.line, msg, fixes or [])]


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
