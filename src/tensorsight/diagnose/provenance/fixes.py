"""Code fixes for the silent findings (libcst edits through diagnose/edit/edits.py).

Each returns a list of Fix (one per changed line) or None when the code does not have the
shape the edit needs; a finding without a fix is still reported.
"""
from __future__ import annotations

import itertools

from ...capture.events import OpEvent, TensorMeta, Trace
from ..edit import edits
from ..findings import Fix
from ..edit.origin import hoist
from .axes import Axis, reshape_axes
from .segments import covered_operand

# ops that pass their input's values through (a probability stays a probability)
PASS_VALUES = {"contiguous", "clone", "to", "float", "double", "half", "view", "reshape", "squeeze",
               "unsqueeze", "flatten", "permute", "transpose", "__getitem__", "detach", "type"}


def producer(trace: Trace, meta: TensorMeta, through=("contiguous", "clone", "to", "float")) -> OpEvent | None:
    """The op that made ``meta``'s values, looking through ``through``."""
    if meta.producer is None:
        return None
    ev = trace.events[meta.producer]
    while ev.op.rsplit(".", 1)[-1] in through and ev.activations:
        # a slice of a concatenation holds the values of the one operand it covers
        source = covered_operand(trace, ev) if "__getitem__" in through else None
        source = source or ev.activations[0]
        if source.producer is None:
            break
        ev = trace.events[source.producer]
    return ev


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


def _arg0_text(ev: OpEvent) -> str | None:
    src, node = _outer_call(ev)
    return src.code(node.args[0].value).strip() if node is not None else None


def _loss_shape_fix(trace: Trace, ev: OpEvent, x: TensorMeta, y: TensorMeta):
    """Prefer undoing a squeeze that made the prediction 1-D; else reshape the target."""
    for meta, other in ((x, y), (y, x)):
        src = producer(trace, meta)
        if src is not None and src.name in ("squeeze", "view", "reshape", "flatten") and src.activations \
                and src.activations[0].shape == other.shape and src.where is not None:
            fixes = edits.remove_method(src.where.file, src.where.line, src.name)
            if fixes:
                return fixes, src.where
    if x.numel == y.numel and ev.where is not None:
        arg0 = _arg0_text(ev)
        if arg0 and not arg0.replace(".", "").replace("_", "").isalnum():
            # the prediction is an expression (``criterion(model(x), y)``): naming it twice would run
            # it twice, so drop the trailing 1 of whichever side has it
            x_s, y_s = tuple(x.shape), tuple(y.shape)
            side = 0 if x_s == y_s + (1,) else 1 if y_s == x_s + (1,) else None
            fixes = _outer_call_fix(ev, side, "{}.squeeze(-1)") if side is not None else None
            return (fixes, ev.where) if fixes else ([], ev.where)
        fixes = _outer_call_fix(ev, 1, "{}.view_as(" + arg0 + ")") if arg0 else None
        if fixes:
            return fixes, ev.where
    return [], ev.where


def view_fix(ev: OpEvent):
    """``x.view(-1, 400)`` → ``x.view(x.size(0), -1)``: flatten per sample."""
    if ev.where is None:
        return None
    return edits.replace_in_call_args(ev.where.file, ev.where.line, (ev.name,), "{self}.size(0), -1")


def _batch_kept(out: tuple[Axis, ...], roles) -> bool:
    """The batch is an axis of its own, or leads dim 0 ([B·T, V] for a loss)."""
    for j, a in enumerate(out):
        parts = [p for p in a.parts if p.size > 1]
        has = [roles(p) == "batch" for p in parts]
        if any(has) and not (all(has) or (j == 0 and has[0] and parts[0].whole)):
            return False
    return True


def _clean(out, roles) -> bool:
    return out is not None and not any(a.mixed or a.why for a in out) and _batch_kept(out, roles)


def _moved(perm) -> int:
    return sum(1 for i, p in enumerate(perm) if i != p)


def permutation_for(axes: tuple[Axis, ...], out_shape: tuple, roles) -> list[int] | None:
    """The permutation of ``axes`` (fewest axes moved) after which the view to ``out_shape``
    mixes nothing and keeps each sample apart; None if there is none."""
    n = len(axes)
    if n > 6:
        return None
    best = None
    for perm in itertools.permutations(range(n)):
        moved = sum(1 for i, p in enumerate(perm) if i != p and axes[p].size != 1)
        if moved == 0 or (best is not None and moved >= best[0]):
            continue
        if _clean(reshape_axes(tuple(axes[p] for p in perm), out_shape, roles), roles):
            best = (moved, list(perm))
    return None if best is None else best[1]


def split_then_permute(axes: tuple[Axis, ...], out_shape: tuple, roles) -> tuple[list[int], list[int]] | None:
    """(order, perm): view to ``[out_shape[i] for i in order]`` only splits axes, then ``permute(perm)``
    gives ``out_shape`` (heads: ``view(B, L, H, D).transpose(1, 2)`` for ``view(B, H, L, D)``)."""
    n = len(out_shape)
    if n > 6:
        return None
    best = None
    for order in itertools.permutations(range(n)):
        moved = _moved(order)
        if moved == 0 or (best is not None and moved >= best[0]):
            continue
        mid = tuple(out_shape[i] for i in order)
        out = reshape_axes(axes, mid, roles)
        # only splits: each new axis is a piece of one input axis (which may itself be a merge, the
        # tokens of a flattened H·W grid)
        if not _clean(out, roles) or any(not any(a.uids <= b.uids for b in axes) for a in out):
            continue
        perm = [order.index(j) for j in range(n)]
        best = (moved, list(order), perm)
    return None if best is None else (best[1], best[2])


def split_permute_fix(ev: OpEvent, order: list[int], perm: list[int]):
    """``x.view(B, H, L, D)`` → ``x.view(B, L, H, D).transpose(1, 2)`` (the user's own size expressions)."""
    if ev.where is None:
        return None
    f = ev.where
    texts = [edits.arg_text(f.file, f.line, (ev.name,), i, None) for i in range(len(order))]
    if any(t is None for t in texts) or edits.arg_text(f.file, f.line, (ev.name,), len(order), None) is not None:
        return None
    args = ", ".join(texts[i] for i in order)
    return edits.replace_call(f.file, f.line, (ev.name,), "{self}." + ev.name + "(" + args + ")." + permute_text(perm))


def unwrap_call(ev: OpEvent) -> list[Fix] | None:
    """``torch.sigmoid(pred)`` → ``pred``; ``pred.sigmoid()`` → ``pred``."""
    if ev.where is None:
        return None
    f, name = ev.where, ev.op.rsplit(".", 1)[-1]
    if edits.is_function_call(f.file, f.line, name):
        if edits.arg_text(f.file, f.line, (name,), 1, None) is not None:
            return None
        return edits.replace_call(f.file, f.line, (name,), "{args}")
    if edits.arg_text(f.file, f.line, (name,), 0, None) is not None:
        return None  # nn.functional.sigmoid(x) and the like: not a method of the tensor
    return edits.remove_method(f.file, f.line, name)


def permute_text(perm: list[int]) -> str:
    moved = [i for i, p in enumerate(perm) if i != p]
    if len(moved) == 2 and perm[moved[0]] == moved[1]:
        return f"transpose({moved[0]}, {moved[1]})"
    return "permute(" + ", ".join(str(p) for p in perm) + ")"


def permute_before(ev: OpEvent, perm: list[int]):
    """``x.view(B, T, C)`` → ``x.transpose(1, 2).contiguous().view(B, T, C)``."""
    if ev.where is None:
        return None
    tail = ".contiguous()" if ev.name == "view" else ""
    return edits.wrap_receiver(ev.where.file, ev.where.line, (ev.name,), "{}." + permute_text(perm) + tail)


def wrap_tuple_elements(path: str, line: int, template: str) -> list[Fix] | None:
    """``src, trg = a[i:j], b[i:j]`` → each element wrapped: the batches sliced together share a layout."""
    import libcst as cst
    src = edits.load(path)
    if src is None:
        return None
    st, value = edits.assigned_value(src, line)
    if st is None or not isinstance(value, cst.Tuple) or len(value.elements) < 2:
        return None
    pos = edits._find(src, value)
    if pos is None:
        return None
    parts = []
    for el in value.elements:
        text = src.code(el.value).strip()
        atomic = isinstance(el.value, (cst.Call, cst.Attribute, cst.Name, cst.Subscript))
        parts.append(template.format(text if atomic else f"({text})"))
    return edits._splice(src, pos.start, pos.end, ", ".join(parts))


def rename_call(file: str, line: int, old: str, new: str) -> list[Fix] | None:
    """``nn.BCEWithLogitsLoss()`` → ``nn.BCELoss()`` on one line (the name must occur once)."""
    text = edits.line_of(file, line)
    if not text or text.count(old + "(") != 1:
        return None
    return [Fix(file, line, text, text.replace(old + "(", new + "(", 1))]


def set_dim(file: str, line: int, names: tuple[str, ...], position: int, dim: int) -> list[Fix] | None:
    """Point a call's ``dim`` argument at another axis (adding it when it was left out)."""
    fixes = edits.replace_arg(file, line, names, position, "dim", str(dim))
    return fixes or edits.add_kwarg(file, line, names, "dim", str(dim))


def rnn_fix(watcher, step: OpEvent, module, inp: TensorMeta, batch_origin: OpEvent | None = None):
    """batch_first=True at the constructor when the code after the RNN reads batch-first output
    (``out[:, -1]``); else transpose the RNN's input where it was made."""
    site = watcher.site(module)
    mtype = type(module).__name__
    trace = watcher.trace
    batch_first_indexing = False
    for ev in trace.events[step.index + 1:]:
        if ev.name == "[]" and ev.activations and ev.activations[0].producer == step.index:
            idx = ev.args[1] if len(ev.args) > 1 else None
            if isinstance(idx, tuple) and len(idx) >= 2 and isinstance(idx[0], slice):
                batch_first_indexing = True
            break
    if batch_first_indexing or inp.producer is None:
        fixes = edits.add_kwarg(site.file, site.line, (mtype,), "batch_first", "True") if site else None
        return fixes, site or step.where, ("construct it with batch_first=True (the code after it already "
                                           "indexes [batch, time, …])")
    if batch_origin is not None and not batch_origin.module and batch_origin.where is not None:
        # the batch was cut from the data outside the model: make it time-major there
        at = batch_origin.where
        fixes = wrap_tuple_elements(at.file, at.line, "{}.transpose(0, 1)") or \
            edits.append_call(at.file, at.line, ".transpose(0, 1)")
        if fixes:
            return fixes, at, "make the batches time-major where they are cut from the data, [time, batch, …]"
    if not _time_major_use(trace, step):
        # nothing after the RNN reads its output time-first (out[-1], out[1:]): the code after it was
        # written for [batch, time, …], which batch_first=True keeps, where a transposed input would not
        fixes = edits.add_kwarg(site.file, site.line, (mtype,), "batch_first", "True") if site else None
        if fixes:
            return fixes, site, "construct it with batch_first=True (its input and the code after it are [batch, time, …])"
    prod = trace.events[inp.producer]
    line = hoist(prod.where, prod.stack, step.stack)
    fixes = None
    if line is not None:
        fixes = wrap_tuple_elements(line.file, line.line, "{}.transpose(0, 1)") or \
            edits.append_call(line.file, line.line, ".transpose(0, 1)")
    return fixes, line or step.where, ("transpose its input to [time, batch, features] (the code after it "
                                       "reads time-first output)")


def patch_split(src: tuple, dst: tuple) -> list[int] | None:
    """The patch sizes ``p`` for which a view of ``[B, C, *S]`` to ``[B, N, K]`` is a patch
    embedding: N = prod(S_i / p_i) tokens of K = C·prod(p_i) values (ViT patches, time patches).
    Square patches first; None if the sizes admit no such split."""
    if len(dst) != 3 or len(src) < 3 or src[0] != dst[0] or not all(isinstance(d, int) and d > 0 for d in src):
        return None
    c, space = src[1], src[2:]
    options = [[p for p in range(1, s + 1) if s % p == 0] for s in space]
    best = None
    for ps in itertools.product(*options):
        n, k = 1, c
        for s, p in zip(space, ps):
            n, k = n * (s // p), k * p
        if (n, k) != (dst[1], dst[2]) or all(p == 1 for p in ps):
            continue
        key = (len(set(ps)) > 1, ps)
        if best is None or key < best[0]:
            best = (key, list(ps))
    return None if best is None else best[1]


def patch_fix(ev: OpEvent, src: tuple, ps: list[int]):
    """``img.reshape(b, N, K)`` → ``img.reshape(-1, C, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5).reshape(b, N, K)``:
    grid and patch digits split, the grid moved in front of the channels, then the user's merge."""
    if ev.where is None:
        return None
    sizes = ["-1", str(src[1])]
    for s, p in zip(src[2:], ps):
        sizes += [str(s // p), str(p)]
    k = len(ps)
    perm = [0] + [2 + 2 * i for i in range(k)] + [1] + [3 + 2 * i for i in range(k)]
    tail = ".contiguous()" if ev.name == "view" else ""
    return edits.wrap_receiver(ev.where.file, ev.where.line, (ev.name,),
                               "{}.reshape(" + ", ".join(sizes) + ").permute(" + ", ".join(map(str, perm)) + ")" + tail)


def drop_call(ev: OpEvent) -> list[Fix] | None:
    """``torch.softmax(h, dim=1)`` → ``h``; ``h.softmax(-1)`` → ``h``: the call's input in its place,
    whatever other arguments (dim) it had."""
    if ev.where is None:
        return None
    f, name = ev.where, ev.op.rsplit(".", 1)[-1]
    if not edits.is_function_call(f.file, f.line, name):
        return edits.remove_method(f.file, f.line, name)
    src = edits.load(f.file, f.line)
    if src is None:
        return None
    import libcst as cst
    for call in edits.calls_covering(src, f.line, name):
        arg = edits.arg_node(call.node, 0, "input")
        pos = edits._find(src, arg.value) if arg is not None else None
        if pos is None:
            continue
        text = src.text(pos)
        atomic = isinstance(arg.value, (cst.Call, cst.Attribute, cst.Name, cst.Subscript))
        return edits._splice(src, call.start, call.end, text if atomic else f"({text})")
    return None


def drop_layer(path: str, line: int, mtype: str) -> list[Fix] | None:
    """``nn.Sequential(nn.Linear(32, 3), nn.Softmax(dim=1))`` → ``nn.Sequential(nn.Linear(32, 3))``: the
    layer taken out of the Sequential it was built in (the text between it and its neighbour goes)."""
    src = edits.load(path, line)
    if src is None:
        return None
    for call in edits.calls_covering(src, line, "Sequential"):
        args = [a for a in call.node.args if a.keyword is None]
        for i, a in enumerate(args):
            fn = a.value.func if hasattr(a.value, "func") else None
            if fn is None or edits.func_name(a.value).rsplit(".", 1)[-1] != mtype or len(args) < 2:
                continue
            me = edits._find(src, a.value)
            other = edits._find(src, args[i - 1].value if i else args[i + 1].value)
            if me is None or other is None or me.start[0] != me.end[0]:
                return None
            after = src.lines[me.end[0] - 1][me.end[1]:]
            comma = len(after) - len(after.lstrip(" ,")) if after.lstrip(" ").startswith(",") else 0
            if comma:    # the layer and its comma go; a line left blank inside the call is fine
                return edits._splice(src, me.start, (me.end[0], me.end[1] + comma), "")
            start, end = (other.end, me.end) if i else (me.start, other.start)
            return edits._splice(src, start, end, "")
    return None


BINARY = {"sub": "Subtract", "__sub__": "Subtract", "__rsub__": "Subtract", "add": "Add", "__add__": "Add",
          "__radd__": "Add", "mul": "Multiply", "__mul__": "Multiply", "__rmul__": "Multiply",
          "div": "Divide", "__truediv__": "Divide", "__rtruediv__": "Divide"}


def wrap_binary_operand(path: str, line: int, op: str, side: int, template: str) -> list[Fix] | None:
    """Wrap the left (0) or right (1) operand of the one ``a - b`` (``+``, ``*``, ``/``) on ``line``
    that matches the op; None when the line has several (which one ran is not known)."""
    import libcst as cst
    kind = BINARY.get(op)
    src = edits.load(path, line)
    st = edits.statement_at(src, line) if src is not None and kind else None
    if st is None:
        return None
    found: list = []

    class V(cst.CSTVisitor):
        def visit_BinaryOperation(self, node):
            if type(node.operator).__name__ == kind:
                found.append(node)
    st.node.visit(V())
    if len(found) != 1:
        return None
    target = found[0].left if side == 0 else found[0].right
    pos = edits._find(src, target)
    if pos is None:
        return None
    text = src.text(pos)
    atomic = isinstance(target, (cst.Call, cst.Attribute, cst.Name, cst.Subscript))
    return edits._splice(src, pos.start, pos.end, template.format(text if atomic else f"({text})"))


def _time_major_use(trace: Trace, step: OpEvent) -> bool:
    """The RNN's output is indexed along dim 0 (``out[-1]``, ``output[1:]``): code written time-first."""
    for ev in trace.events[step.index + 1:]:
        if ev.name != "[]" or not ev.activations or ev.activations[0].producer != step.index:
            continue
        if tuple(ev.activations[0].shape) != tuple(step.outputs[0].shape):
            continue  # the final state h_n, not the output sequence
        idx = ev.args[1] if len(ev.args) > 1 else None
        first = idx[0] if isinstance(idx, tuple) and idx else idx
        if isinstance(first, int) or isinstance(first, slice) and first != slice(None):
            return True
    return False
