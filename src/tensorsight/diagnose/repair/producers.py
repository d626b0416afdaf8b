"""Where the failing op's data was produced: the lines a data edit belongs on.

The operand sites of ``sites.collect`` are hoisted into the consumer's frames (``x = load(p)``
rather than the line inside ``load``). Data is often wrong where it is made, though: a label
one-hot encoded inside a feature helper, a mask read as 0/255 in a Dataset's ``__getitem__``,
the tensor the script hands the model assigned a few lines before the call. This module adds
those lines as sites, marked ``source``:

- ``'producer'``: the line, in the frame that ran it, of an op outside every module that made
  (an ancestor of) an operand: data, not a layer;
- ``'input'``: the assignment, in the outermost user frame, of the name the script passes the
  model (``z = wav`` before ``model(z)``), found by the tensor that frame holds.
"""
from __future__ import annotations

import ast
import re

from ..edit import edits
from ...capture.events import TensorMeta
from ..edit.origin import top_call
from .sites import Site, _walk

SAMPLE_FUNCTIONS = ("__getitem__", "__iter__", "__next__")


def producer_sites(crash) -> list[Site]:
    try:
        return _producer_sites(crash)
    except Exception:  # noqa: BLE001 - finding more sites must never hide the crash's diagnosis
        import os
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        return []


def _producer_sites(crash) -> list[Site]:
    ev = crash.failing
    if ev is None:
        site = raised_layer_input(crash)
        return [site] if site is not None else []
    out: list[Site] = []
    for i, meta in enumerate(ev.activations):
        for depth, step in _walk(crash.trace, meta):
            if step.where is None or step.module or not step.outputs:
                continue   # made inside a model: a layer's output, not data
            out.append(Site("operand", step.where.file, step.where.line,
                            f"makes operand {i} ({step.name}) in {step.where.function or 'the script'}",
                            operand=i, event=step, meta=step.outputs[0], depth=depth, source="producer"))
    site = model_input_assignment(crash)
    if site is not None:
        out.insert(0, site)
    return out + model_input_producers(crash)


def in_sample_code(site: Site) -> bool:
    """Made while loading one sample (a Dataset's ``__getitem__``): batch axes are added later."""
    ev = site.event
    return ev is not None and any(fr.function in SAMPLE_FUNCTIONS for fr in ev.stack)


def is_data_line(site: Site) -> bool:
    """A line that makes data outside every model (where a data edit belongs)."""
    if site.kind != "operand":
        return False
    if site.source in ("producer", "input"):
        return True
    return site.event is not None and not site.event.module and site.wrap is None


def model_call(crash):
    """The outermost module call the failing op ran in, or else the last one before it (a loss
    computed on the model's output outside the model)."""
    ev = crash.failing
    call = top_call(crash.trace, ev.index)
    if call is not None:
        return call
    before = [c for c in crash.trace.modules if c.depth == 0 and c.end <= ev.index and c.inputs]
    return before[-1] if before else None


def model_input_assignment(crash) -> Site | None:
    """``z = wav`` where the script later runs ``model(z)``: the last assignment of the name, in
    the innermost user frame outside every module's forward, bound to a tensor of the model
    input's shape."""
    ev = crash.failing
    call = model_call(crash)
    if call is None or not call.inputs:
        return None
    want = call.inputs[0]
    tb = crash.exc.__traceback__
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    for frame, lineno in reversed(frames):
        path = frame.f_code.co_filename
        me = frame.f_locals.get("self")
        if not _is_user(path) or (me is not None and hasattr(me, "_parameters")):
            continue   # torch's frames, and the model's own forward
        src = edits.load(path)
        if src is None:
            continue
        if call.where is not None and call.where.file == path and frame.f_code.co_name == call.where.function:
            lineno = call.where.line    # the frame that called the model (not the loss after it)
        st = edits.statement_at(src, lineno)
        text = src.code(st.node) if st is not None else src.lines[lineno - 1]
        words = set(re.findall(r"[A-Za-z_]\w*", text))
        names = [k for k, v in frame.f_locals.items() if k in words and _same(v, want)]
        for name in names:
            line = _last_assignment(src, frame.f_code, name, lineno)
            if line is not None:
                hit = [i for i, t in enumerate(ev.activations) if tuple(t.shape) == tuple(want.shape)]
                return Site("operand", path, line, f"assigns {name}, the {want} the model is given at line {lineno}",
                            operand=hit[0] if hit else None, meta=want, depth=2, source="input")
        if names:
            return None
    return None


def model_input_producers(crash) -> list[Site]:
    """The lines outside every model that made the model's input (a Dataset's ``__getitem__``,
    the collate, the script), nearest first."""
    call = model_call(crash)
    if call is None or not call.inputs or call.inputs[0].producer is None:
        return []
    out = []
    for depth, step in _walk(crash.trace, TensorMeta(call.inputs[0].shape, call.inputs[0].dtype,
                                                     producer=call.inputs[0].producer)):
        if step.where is None or step.module or not step.outputs or depth > 6:
            continue
        out.append(Site("operand", step.where.file, step.where.line,
                        f"makes the model's input ({step.name}) in {step.where.function or 'the script'}",
                        event=step, meta=step.outputs[0], depth=depth + 1, source="producer"))
    return out


def _same(v, meta) -> bool:
    import torch
    if not isinstance(v, torch.Tensor) or tuple(v.shape) != tuple(meta.shape):
        return False
    from ...shapes import short_dtype
    return short_dtype(v.dtype) == short_dtype(meta.dtype)


def _last_assignment(src, code, name: str, before: int) -> int | None:
    """The line of the last ``name = ...`` before line ``before`` in the function ``code`` runs."""
    try:
        tree = ast.parse("\n".join(src.lines))
    except SyntaxError:
        return None
    scope = tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name \
                and node.lineno <= before <= (node.end_lineno or node.lineno):
            scope = node
    best = None
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign) and node.lineno < before and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name:
            if best is None or node.lineno > best:
                best = node.lineno
    return best


def _own_nodes(scope):
    """The nodes of ``scope`` outside the functions and classes it defines."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield n
        stack.extend(ast.iter_child_nodes(n))


def _is_user(path: str) -> bool:
    from ...capture.source import is_user_file
    return is_user_file(path) and "site-packages" not in path


def real_operand(crash, meta):
    """The tensor the failing op got, from the traceback's frames (None when not seen)."""
    for loc in reversed(crash.tb_locals or []):
        for v in list(loc.values()):
            if _same(v, meta):
                return v
    return None


def raised_layer_input(crash) -> Site | None:
    """A layer that checked its input before running any op (an RNN's ``input.size(-1) must be
    equal to input_size``): the line that made that input, from the newest op of the Trace
    whose output has its shape."""
    import torch
    for loc in reversed(crash.tb_locals or []):
        me = loc.get("self")
        x = loc.get("input")
        if me is None or not hasattr(me, "_parameters") or not isinstance(x, torch.Tensor):
            continue
        for step in reversed(crash.trace.events):
            if step.outputs and tuple(step.outputs[0].shape) == tuple(x.shape) and step.where is not None:
                return Site("operand", step.where.file, step.where.line,
                            f"makes the {step.outputs[0]} {type(me).__name__} was given ({step.name})",
                            operand=0, event=step, meta=step.outputs[0], depth=1, source="layer_input",
                            module=me)
        return None
    return None
