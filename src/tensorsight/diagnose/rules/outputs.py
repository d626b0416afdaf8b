"""A model output that is several tensors, given where one tensor is wanted.

``cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not InceptionOutputs``:
models with auxiliary heads (Inception, a seq2seq returning (output, hidden), Hugging Face's
``ModelOutput``) return a tuple-like of tensors in train mode. The argument's value is in the
traceback's frames; its first tensor is the main output. The fix goes where the value is
assigned (``outputs = model(x)`` → ``outputs, aux = model(x)`` is the author's; ``[0]`` keeps
the line's shape), or else on the argument itself.
"""
from __future__ import annotations

import re

from ...capture.events import Frame
from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding

_NOT_TENSOR = re.compile(r"argument '(\w+)' \(position (\d+)\) must be Tensor, not (\w+)")


def tuple_output(crash):
    m = _NOT_TENSOR.search(crash.msg)
    if not m or crash.symptom is None:
        return None
    arg, position, kind = m.group(1), int(m.group(2)), m.group(3)
    value = _argument_value(crash, arg, kind)
    first = _first_tensor(value)
    if first is None:
        return None
    fields = getattr(type(value), "_fields", None) or (list(value.keys()) if hasattr(value, "keys") else None)
    what = f"{kind} ({', '.join(map(str, fields))})" if fields else kind
    msg = (f"{arg} is a {what} of {len(value)} tensors, not one tensor: the model returns its main output "
           f"{fmt_shape(tuple(first.shape))} together with the others (an auxiliary head in train mode, a state); "
           f"take the first one, {fmt_shape(tuple(first.shape))}")
    line, fixes = _fix(crash, position)
    return [Finding("error", "loss_input_type", line.file, line.line, msg, fixes or [])]


def _argument_value(crash, arg: str, kind: str):
    for loc in reversed(crash.tb_locals):
        v = loc.get(arg)
        if v is not None and type(v).__name__ == kind:
            return v
    for loc in reversed(crash.tb_locals):
        for v in list(loc.values()):
            if type(v).__name__ == kind and _first_tensor(v) is not None:
                return v
    return None


def _first_tensor(value):
    import torch
    if isinstance(value, torch.Tensor) or not isinstance(value, (tuple, list)) and not hasattr(value, "to_tuple"):
        return None
    items = value.to_tuple() if hasattr(value, "to_tuple") else tuple(value)
    return items[0] if items and isinstance(items[0], torch.Tensor) else None


def _fix(crash, position: int):
    """``[0]`` where the argument's name was assigned in the user's frame, else on the argument."""
    from ..repair.producers import _last_assignment
    from ..repair.templates_sizes import _frame_at
    sym = crash.symptom
    src = edits.load(sym.file)
    frame = _frame_at(crash, sym)
    calls = sorted(edits.calls_at(src, sym.line), key=lambda c: c.start) if src is not None else []
    call = calls[0].node if calls else None
    args = [a for a in call.args if a.keyword is None] if call is not None else []
    if frame is not None and len(args) >= position:
        text = src.code(args[position - 1].value).strip()
        if text.isidentifier():
            at = _last_assignment(src, frame.f_code, text, sym.line)
            if at is not None:
                fixes = edits.append_call(sym.file, at, "[0]")
                if fixes:
                    return Frame(sym.file, at, sym.function, src.lines[at - 1].strip()), fixes
        name = edits.func_name(call).rsplit(".", 1)[-1]
        return sym, edits.wrap_arg(sym.file, sym.line, (name,), position - 1, "{}[0]")
    return sym, None

