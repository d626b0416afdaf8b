"""Edit templates on the data: where an operand is made, or where the model gets its input.

Each says what the failing op would then see (``effect``), so ``fit.fits`` drops edits that
cannot make the failing op fit before any re-run.
"""
from __future__ import annotations

from ...shapes import fmt_shape
from ..edit import edits
from .candidate import Candidate, Context
from .fit import fits
from .sites import Site


def effect(ctx: Context, site: Site, transform) -> list[tuple] | None:
    ev = ctx.ev
    shapes = [tuple(t.shape) for t in ev.activations]
    i = site.operand
    if i is None or i >= len(shapes) or site.meta is None:
        return None
    now, made = shapes[i], tuple(site.meta.shape)
    try:
        if made == now:
            new = transform(now)
        elif len(made) == len(now) and made[1:] == now[1:]:
            new = transform(now)     # the whole data set, batched later along dim 0
        elif len(made) == len(now) - 1 and made == now[1:]:
            inner = transform(made)
            new = None if inner is None else (now[0], *inner)
        else:
            return None
    except (IndexError, ValueError):
        return None
    if new is None:
        return None
    shapes[i] = tuple(new)
    return shapes


def _permuted(order):
    return lambda s: tuple(s[j] for j in order) if len(s) == len(order) else None


def _single_target(site: Site) -> bool:
    """``x = <what made the operand>``: one name assigned, and the value is the op that made it."""
    if len(edits.assigned_names(site.file, site.line)) != 1:
        return False
    return site.event is None or value_makes(site)


_SYMBOLS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "MatMult": "@", "Pow": "**"}


def value_makes(site: Site) -> bool:
    """Is the assigned value at the site's line the expression that made ``site.event``'s output?"""
    import libcst as cst
    src = edits.load(site.file)
    if src is None:
        return False
    _, value = edits.assigned_value(src, site.line)
    ev = site.event
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and \
            value.func.attr.value in ("to", "float", "long", "contiguous", "clone", "detach", "cuda", "cpu"):
        if ev.name == value.func.attr.value:
            return True
        value = value.func.value
    if isinstance(value, cst.Call):
        last = edits.func_name(value).rsplit(".", 1)[-1]
        if last in (ev.name, ev.op.rsplit(".", 1)[-1]):
            return True
        if ev.module and ev.module.rsplit(".", 1)[-1] == last:
            return True
        # made inside a function this line calls (hoisted from a deeper frame)
        return ev.where is not None and (ev.where.file, ev.where.line) != (site.file, site.line) \
            and any(fr.function == last for fr in ev.stack)
    if isinstance(value, cst.Subscript):
        return ev.name in ("[]", "__getitem__")
    if isinstance(value, cst.BinaryOperation):
        return ev.name == _SYMBOLS.get(type(value.operator).__name__, "?")
    return ev.where is not None and (ev.where.file, ev.where.line) != (site.file, site.line)


def _operand_edit(ctx, site, suffix, transform, template, kind, detail, prior):
    """Append ``suffix`` where the operand is made (``x = ...`` → ``x = ...<suffix>``)."""
    shapes = effect(ctx, site, transform)
    if shapes is None or fits(ctx.ev, shapes) is False:
        return None
    if site.wrap is not None:
        fixes = edits.wrap_arg(site.file, site.line, site.wrap[0], site.wrap[1], "{}" + suffix)
    elif not _single_target(site):
        return None
    else:
        fixes = edits.append_call(site.file, site.line, suffix)
    if not fixes:
        return None
    boost = 2.0 if fits(ctx.ev, shapes) else 0.0
    return Candidate(tuple(fixes), template, kind, site, detail.format(suffix=suffix.lstrip(".")),
                     prior + boost - 0.4 * site.depth)


def _order_text(order) -> str:
    if list(order) == [1, 0]:
        return ".t()"
    diff = [i for i, j in enumerate(order) if i != j]
    if len(diff) == 2:
        return f".transpose({diff[0]}, {diff[1]})"
    return ".permute(" + ", ".join(str(i) for i in order) + ")"


def move_axis(ctx: Context, site: Site):
    if site.meta is None or not site.meta.known:
        return
    n = len(site.meta.shape)
    if n < 2:
        return
    orders = {tuple([0, n - 1, *range(1, n - 1)]), tuple([0, *range(2, n), 1]), tuple([n - 1, *range(n - 1)]),
              tuple([1, 0, *range(2, n)]), tuple([*range(1, n), 0])}
    if n >= 3:
        orders.add(tuple([0, 2, 1, *range(3, n)]))
    for order in sorted(orders):
        if list(order) == list(range(n)):
            continue
        c = _operand_edit(ctx, site, _order_text(order), _permuted(order), "move_axis", "data",
                          "{suffix} where operand " + str(site.operand) + " is made", 5.0)
        if c is not None:
            yield c


def add_axis(ctx: Context, site: Site):
    if site.meta is None:
        return
    n = len(site.meta.shape)
    for d in sorted({0, 1, n} - {n + 1}):
        if d > n:
            continue
        c = _operand_edit(ctx, site, f".unsqueeze({d if d < n else -1})", lambda s, d=d: (*s[:d], 1, *s[d:]),
                          "add_axis", "data", "{suffix} where operand " + str(site.operand) + " is made", 4.5)
        if c is not None:
            yield c


def drop_axis(ctx: Context, site: Site):
    if site.meta is None:
        return
    shape = site.meta.shape
    for d, size in enumerate(shape):
        if size != 1:
            continue
        dim = d if d < len(shape) - 1 else -1
        c = _operand_edit(ctx, site, f".squeeze({dim})", lambda s, d=d: (*s[:d], *s[d + 1:]), "drop_axis", "data",
                          "{suffix} where operand " + str(site.operand) + " is made", 4.5)
        if c is not None:
            yield c


_UNDOABLE = ("squeeze", "unsqueeze", "flatten", "permute", "transpose", "t", "view", "reshape", "one_hot")


def _unwrap(site: Site, name: str):
    """``F.one_hot(ids, n)`` → ``ids``: the call replaced by its first argument."""
    src = edits.load(site.file)
    for call in edits.calls_covering(src, site.line, name) if src else []:
        if call.node.args:
            return edits._splice(src, call.start, call.end, src.code(call.node.args[0].value).strip())
    return None


def undo_call(ctx: Context, site: Site):
    """Remove a squeeze/unsqueeze/flatten/permute/view that made the operand."""
    ev = site.event
    if ev is None or ev.name not in _UNDOABLE or not ev.activations or ev.where is None:
        return
    if (ev.where.file, ev.where.line) != (site.file, site.line):
        return
    before = tuple(ev.activations[0].shape)
    shapes = effect(ctx, site, lambda s: before)
    if shapes is not None and fits(ctx.ev, shapes) is False:
        return
    # an axis added or dropped far upstream reaches the failing op through layers: no local
    # check then, the re-run decides (at a lower prior)
    if shapes is None and ev.name not in ("unsqueeze", "squeeze"):
        return
    fixes = edits.remove_method(site.file, site.line, ev.name) if ev.name != "one_hot" else _unwrap(site, ev.name)
    if fixes:
        boost = 2.0 if shapes is not None and fits(ctx.ev, shapes) else (0.0 if shapes is not None else -1.0)
        yield Candidate(tuple(fixes), "undo_call", "data", site, f"remove .{ev.name}(…) ({fmt_shape(before)} stays)",
                        5.0 + boost - 0.2 * site.depth)


def cat_dim(ctx: Context, site: Site):
    """Tensors joined along the wrong axis (the batch axis, where features were meant)."""
    ev = site.event
    if ev is None or ev.name not in ("cat", "concat") or ev.where is None or not ev.outputs:
        return
    # the site may be hoisted to the line that calls the helper doing the cat
    # (``z = self.fuse(a, b)``): the dim is an argument of the cat call, so the edit goes there
    where = ev.where
    parts = [tuple(t.shape) for t in ev.activations]
    if not parts or any(len(p) != len(parts[0]) for p in parts):
        return
    dim = ev.arg(1, "dim", 0)
    dim = dim if isinstance(dim, int) else 0
    n = len(parts[0])
    for d in range(n):
        if d == dim % n or any(p[:d] + p[d + 1:] != parts[0][:d] + parts[0][d + 1:] for p in parts):
            continue
        joined = list(parts[0])
        joined[d] = sum(p[d] for p in parts)
        shapes = effect(ctx, site, lambda s, j=tuple(joined): j)
        if shapes is None or fits(ctx.ev, shapes) is False:
            continue
        fixes = edits.replace_arg(where.file, where.line, (ev.name,), 1, "dim", str(d))
        if fixes:
            yield Candidate(tuple(fixes), "cat_dim", "data", site,
                            f"join along dim {d}, not {dim}: {' + '.join(str(p[d]) for p in parts)} = {joined[d]}",
                            6.5 - 0.4 * site.depth)


def new_axis_dim(ctx: Context, site: Site):
    """An axis made at the wrong position (``x.unsqueeze(0)`` where ``unsqueeze(1)`` keeps the
    batch first; ``stack(…, 0)`` for ``stack(…, 1)``): the same op, with the position the
    failing op needs. Often inside a helper the failing code calls."""
    ev = site.event
    if ev is None or ev.name not in ("unsqueeze", "stack") or ev.where is None or not ev.activations:
        return
    parts = [tuple(t.shape) for t in ev.activations]
    if any(p != parts[0] for p in parts):
        return
    dim = ev.arg(1, "dim", 0)
    if not isinstance(dim, int):
        return
    n = len(parts[0]) + 1
    src = edits.load(ev.where.file)
    calls = edits.calls_at(src, ev.where.line, ev.name) if src is not None else []
    if len(calls) != 1:
        return
    position = 1 if edits.func_name(calls[0].node).startswith("torch.") or ev.name == "stack" else 0
    for d in range(n):
        if d == dim % n:
            continue
        made = parts[0][:d] + (len(parts) if ev.name == "stack" else 1,) + parts[0][d:]
        shapes = effect(ctx, site, lambda s, m=made: m)
        if shapes is None or fits(ctx.ev, shapes) is False:
            continue
        fixes = edits.replace_arg(ev.where.file, ev.where.line, (ev.name,), position, "dim", str(d))
        if fixes:
            yield Candidate(tuple(fixes), "new_axis_dim", "data", site,
                            f"{ev.name} puts its new axis at dim {dim}, giving {list(ev.outputs[0].shape)}; at dim {d} "
                            f"it gives {list(made)}", 6.8 - 0.2 * site.depth)


def per_sample_flatten(ctx: Context, site: Site):
    ev = site.event if site.kind == "operand" else ctx.ev
    if ev is None or ev.name not in ("view", "reshape") or ev.where is None or not ev.activations:
        return
    x = ev.activations[0]
    if len(x.shape) < 2 or not x.known:
        return
    fixes = edits.replace_in_call_args(ev.where.file, ev.where.line, (ev.name,), "{self}.size(0), -1")
    if fixes:
        yield Candidate(tuple(fixes), "per_sample_flatten", "data", site,
                        f"{ev.name}(x.size(0), -1): keep the {x.shape[0]} samples apart", 6.0)


def cast(ctx: Context, site: Site):
    msg = ctx.crash.msg.lower()
    if not any(w in msg for w in ("dtype", "scalar type", "long", "float", "double", "type")):
        return
    if site.meta is None:
        return
    for suffix in (".long()", ".float()"):
        want = "int64" if suffix == ".long()" else "float32"
        if site.meta.dtype == want or not _single_target(site):
            continue
        fixes = edits.append_call(site.file, site.line, suffix)
        if fixes:
            yield Candidate(tuple(fixes), "cast", "data", site, f"{suffix[1:]} where operand {site.operand} is made",
                            5.0 - 0.4 * site.depth)


def squeeze_dim(ctx: Context, site: Site):
    """``squeeze()`` drops every axis of size 1 — the batch axis of a batch of one too: name the axis."""
    ev = site.event
    if ev is None or ev.name != "squeeze" or len(ev.args) > 1 or ev.kwargs or not ev.activations or ev.where is None:
        return
    if (ev.where.file, ev.where.line) != (site.file, site.line):
        return
    before = tuple(ev.activations[0].shape)
    for d, size in enumerate(before):
        if size != 1:
            continue
        after = (*before[:d], *before[d + 1:])
        shapes = effect(ctx, site, lambda s, after=after: after)
        if shapes is not None and fits(ctx.ev, shapes) is False:
            continue
        dim = d if d < len(before) - 1 or d == 0 else -1
        fixes = edits.replace_call(site.file, site.line, ("squeeze",), "{self}.squeeze(" + str(dim) + ")")
        if fixes:
            yield Candidate(tuple(fixes), "squeeze_dim", "data", site,
                            f"squeeze({dim}): only axis {d} of {fmt_shape(before)}, whatever the batch size",
                            6.0 - 0.4 * site.depth - (1.0 if d == 0 else 0.0))


def rowwise_dot(ctx: Context, site: Site):
    """``torch.dot`` takes 1-D vectors; on batches the row-wise dot is ``(a * b).sum(-1)``."""
    ev = ctx.ev
    if site.kind != "call" or site.depth != 0 or ev is None or ev.name not in ("dot", "vdot", "inner"):
        return
    acts = ev.activations
    if len(acts) < 2 or len(acts[0].shape) < 2:
        return
    a, b = tuple(acts[0].shape), tuple(acts[1].shape)
    if a == b:
        fixes = _mul_sum(site, ev.name)
        if fixes:
            yield Candidate(tuple(fixes), "rowwise_dot", "data", site,
                            f"row-wise dot of two {fmt_shape(a)}: (a * b).sum(-1)", 5.5)
    if len(b) >= 2 and a[-1] == b[-2]:
        fixes = _mul_sum(site, ev.name, "({a} @ {b})")
        if fixes:
            yield Candidate(tuple(fixes), "matmul_not_dot", "data", site,
                            f"every dot product of {fmt_shape(a)} with {fmt_shape(b)}: a matrix product a @ b "
                            f"→ [{a[0]}, {b[-1]}]", 5.5)


def _mul_sum(site: Site, name: str, form: str = "({a} * {b}).sum(-1)"):
    src = edits.load(site.file)
    if src is None:
        return None
    for call in edits.calls_covering(src, site.line, name):
        args = [a for a in call.node.args if a.keyword is None]
        if len(args) == 2:
            a, b = (src.code(x.value).strip() for x in args)
            return edits._splice(src, call.start, call.end, form.format(a=a, b=b))
        if len(args) == 1 and hasattr(call.node.func, "value"):
            a, b = src.code(call.node.func.value).strip(), src.code(args[0].value).strip()
            return edits._splice(src, call.start, call.end, form.format(a=a, b=b))
    return None
