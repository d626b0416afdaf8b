"""Selecting and reducing: indexing, chunk/split/unbind, reductions, repeat/expand/tile."""
from __future__ import annotations

from ..capture.events import OpEvent, TensorMeta
from .explain import (UNCHANGED, DimWhy, Explanation, both, dot, generic_labels, is_int, kept,
                      norm_dim, out_shape, prod, register, shp, tensor)
from .explain_layout import _call, _name, _self, _varargs

# -- indexing ---------------------------------------------------------------------------------

def _index_text(idx) -> str:
    def one(v):
        if isinstance(v, slice):
            text = f"{'' if v.start is None else v.start}:{'' if v.stop is None else v.stop}"
            return text + (f":{v.step}" if v.step is not None else "")
        if v is None:
            return "None"
        if v == "...":
            return "..."
        if isinstance(v, TensorMeta):
            return f"<{shp(v.shape)} {v.dtype}>"
        return str(v)
    return "[" + ", ".join(one(v) for v in idx) + "]"


def getitem(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    raw = e.args[1] if len(e.args) > 1 else None
    idx = e.resolve(raw if isinstance(raw, tuple) else (raw,))
    idx = tuple(idx)
    xs = tuple(x.shape)

    def consumes(v):
        if isinstance(v, TensorMeta):
            return max(len(v.shape), 1) if v.dtype in ("bool", "uint8") else 1
        if isinstance(v, list):
            return 1
        if v is None or v == "..." or isinstance(v, bool):
            return 0
        return 1
    used = sum(consumes(v) for v in idx)
    if sum(1 for v in idx if v == "...") > 1 or used > len(xs):
        return None
    expanded = []
    for v in idx:
        if v == "...":
            expanded += [slice(None)] * (len(xs) - used)
        else:
            expanded.append(v)
    expanded += [slice(None)] * (len(xs) - sum(consumes(v) for v in expanded))
    advanced = [k for k, v in enumerate(expanded) if isinstance(v, (TensorMeta, list))]
    if any(isinstance(v, bool) for v in expanded) and advanced:
        return None
    # [(label source, size, formula, note)] in output order; advanced indices handled as a block
    items: list[tuple] = []
    dropped = []
    a = 0
    adv_pos = None
    adv_shapes = []
    for k, v in enumerate(expanded):
        if isinstance(v, slice):
            L = xs[a]
            if v.start is None and v.stop is None and v.step is None:
                items.append(("keep", L, str(L), UNCHANGED))
            elif is_int(L) and all(b is None or is_int(b) for b in (v.start, v.stop, v.step)):
                n = len(range(*v.indices(L)))
                items.append(("slice", n, f"{_index_text((v,))[1:-1]} of {L} = {n}", f"slice of axis {a}"))
            else:
                return None
            a += 1
        elif v is None:
            items.append(("new", 1, "1", "None adds a size-1 axis"))
        elif isinstance(v, bool):
            items.append(("new", int(v), str(int(v)), f"{v} adds an axis of size {int(v)}"))
        elif is_int(v):
            dropped.append(f"{v} picks one of {xs[a]} along axis {a}, which drops that axis")
            a += 1
        elif isinstance(v, (TensorMeta, list)):
            if adv_pos is None:
                adv_pos = len(items)
                items.append(("adv",))
            if isinstance(v, list):
                adv_shapes.append((len(v),))
                a += 1
            elif v.dtype in ("bool", "uint8"):
                adv_shapes.append(("mask",))
                a += max(len(v.shape), 1)
            else:
                adv_shapes.append(tuple(v.shape))
                a += 1
        else:
            return None
    if adv_pos is not None:
        first, last = advanced[0], advanced[-1]
        adjacent = all(isinstance(expanded[k], (TensorMeta, list)) for k in range(first, last + 1))
        rank = max(len(s_) if s_ != ("mask",) else 1 for s_ in adv_shapes)
        items.pop(adv_pos)
        where = adv_pos if adjacent else 0
        for r in range(rank):
            items.insert(where + r, ("adv", None, None, "from the index tensor(s) (advanced indexing)"))
        if not adjacent:
            dropped.append("separated index tensors put their axes first")
    if len(items) != len(out):
        return None
    lab = generic_labels(len(out))
    dims = []
    for j, it in enumerate(items):
        if it[0] == "adv":
            dims.append(DimWhy(j, lab[j], out[j], str(out[j]), it[3]))
        elif it[3] == UNCHANGED:
            dims.append(kept(j, lab[j], it[1]))
        else:
            dims.append(DimWhy(j, lab[j], it[1], it[2], it[3]))
    summary = f"index x{_index_text(idx)}: {shp(xs)} → {shp(out)}"
    if dropped:
        summary += "; " + "; ".join(dropped)
    return Explanation(e.op, summary, tuple(dims))


# -- chunk / split / unbind -------------------------------------------------------------------

def split(e: OpEvent, trace=None):
    x = _self(e)
    if x is None or not e.outputs:
        return None
    name = _name(e)
    xs = tuple(x.shape)
    if name == "unbind":
        d = e.arg(1, "dim", 0)
    else:
        d = e.arg(2, "dim", 0)
    a = norm_dim(d, len(xs))
    if a is None:
        return None
    L = xs[a]
    outs = [tuple(m.shape) for m in e.outputs]
    dims = []
    if name == "unbind":
        summary = f"unbind(dim {a}): {shp(xs)} → {len(outs)} × {shp(outs[0]) if outs else '[]'}; axis {a} is removed"
        for k, o in enumerate(outs[:1]):
            dims += [kept(j, f"dim {j}", o[j], k) for j in range(len(o))]
        return Explanation(e.op, summary, tuple(dims))
    sizes = [o[a] if a < len(o) else None for o in outs]
    if name == "chunk":
        n = e.arg(1, "chunks")
        if not is_int(n) or not is_int(L):
            return None
        c = -(-L // n)
        for k, s in enumerate(sizes):
            if k < len(sizes) - 1 or s == c:
                formula, note = f"⌈{L}/{n}⌉ = {c}", f"chunk {k}"
            else:
                formula, note = f"{L} − {k}·{c} = {L - k * c}", "the last chunk takes the rest"
                s = L - k * c
            dims.append(DimWhy(a, f"dim {a}", s, formula, note, k))
        summary = f"chunk({n}, dim {a}): {L} → {' + '.join(str(s) for s in sizes)}"
        if len(sizes) != n:
            summary += f" (only {len(sizes)} chunks: chunks of ⌈{L}/{n}⌉ = {c} cover all {L})"
    else:
        ss = e.arg(1, "split_size", e.arg(1, "split_size_or_sections"))
        if is_int(ss) and is_int(L):
            for k, s in enumerate(sizes):
                if s == ss:
                    dims.append(DimWhy(a, f"dim {a}", ss, f"split_size = {ss}", f"piece {k}", k))
                else:
                    dims.append(DimWhy(a, f"dim {a}", L - k * ss, f"{L} − {k}·{ss} = {L - k * ss}",
                                       "the last piece takes the rest", k))
            summary = f"split({ss}, dim {a}): {L} → {' + '.join(str(s) for s in sizes)}"
        elif isinstance(ss, (list, tuple)):
            for k, s in enumerate(ss):
                dims.append(DimWhy(a, f"dim {a}", s, f"section {k} = {s}", "", k))
            summary = f"split({list(ss)}, dim {a}): {' + '.join(str(s) for s in ss)} = {L}; the sections must add up to {L}"
        else:
            return None
    o0 = outs[0] if outs else ()
    dims += [kept(j, f"dim {j}", o0[j]) for j in range(len(o0)) if j != a]
    dims.sort(key=lambda d_: (d_.output, d_.axis))
    return Explanation(e.op, summary + f" along axis {a} of {shp(xs)}", tuple(dims))


# -- reductions -------------------------------------------------------------------------------

REDUCTIONS = ("sum", "mean", "prod", "amax", "amin", "max", "min", "std", "var", "norm", "argmax",
              "argmin", "logsumexp", "all", "any", "median", "nansum", "nanmean", "count_nonzero",
              "std_mean", "var_mean", "nanmedian", "mode", "cumsum")


def reduce(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    name = _name(e)
    if name == "cumsum":
        return None
    d = e.kwargs.get("dim", e.kwargs.get("axis"))
    if d is None and "dim" not in e.kwargs:
        pos = 2 if name == "norm" else 1
        v = e.args[pos] if len(e.args) > pos else None
        if is_int(v) or (isinstance(v, (list, tuple)) and all(is_int(u) for u in v)):
            d = v
        elif v is not None and not isinstance(v, (int, float, str)):
            return None  # max(other) is elementwise
    xs = tuple(x.shape)
    n = len(xs)
    if d is None or (isinstance(d, (list, tuple)) and not d):
        if not out:
            return Explanation(e.op, f"{name} over all {dot(xs) or 1} elements: {shp(xs)} → scalar")
        if len(out) == n:
            lab = generic_labels(n)
            return Explanation(e.op, f"{name} over everything, keepdim: {shp(xs)} → {shp(out)}",
                               tuple(DimWhy(j, lab[j], 1, "1", "reduced, kept as 1 by keepdim") for j in range(n)))
        return None
    red = sorted({norm_dim(v, n) for v in (d if isinstance(d, (list, tuple)) else [d])}, key=lambda v: -1 if v is None else v)
    if None in red:
        return None
    keepdim = len(out) == n and n > 0
    if keepdim:
        lab = generic_labels(n)
        dims = tuple(DimWhy(j, lab[j], 1, "1", f"{name} over dim {j} (size {xs[j]}), kept as 1 by keepdim=True")
                     if j in red else kept(j, lab[j], xs[j]) for j in range(n))
        summary = f"{name}(dim={d}, keepdim=True): {shp(xs)} → {shp(out)}"
    else:
        rest = [j for j in range(n) if j not in red]
        if len(rest) != len(out):
            return None
        lab = generic_labels(len(out))
        dims = tuple(kept(k, lab[k], xs[j]) for k, j in enumerate(rest))
        gone = ", ".join(f"{j} (size {xs[j]})" for j in red)
        them = "them" if len(red) > 1 else "it"
        summary = (f"{name}(dim={d}): {shp(xs)} → {shp(out)}; reducing dim {gone} removes {them} "
                   f"(keepdim=True would keep {them} as 1)")
    return Explanation(e.op, summary, dims)


# -- repeat / expand --------------------------------------------------------------------------

def repeat(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    reps = _varargs(e)
    xs = tuple(x.shape)
    if _name(e) == "tile" and len(reps) < len(xs):
        reps = (1,) * (len(xs) - len(reps)) + tuple(reps)
    if len(reps) != len(out) or len(reps) < len(xs) or not all(is_int(r) for r in reps):
        return None
    new = len(reps) - len(xs)
    lab = generic_labels(len(out))
    dims = []
    for j, r in enumerate(reps):
        if j < new:
            dims.append(DimWhy(j, lab[j], r, f"{r}", f"{_name(e)} adds leading axis {j}"))
            continue
        L = xs[j - new]
        if r == 1:
            dims.append(kept(j, lab[j], L))
        else:
            size = L * r if is_int(L) else out[j]
            dims.append(DimWhy(j, lab[j], size, f"{L}·{r} = {size}", f"repeated {r} times (a copy)"))
    return Explanation(e.op, f"{_call(e, reps)}: {shp(xs)} → {shp(out)}", tuple(dims))


def expand(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    name = _name(e)
    if name == "expand_as":
        other = tensor(e, 1, "other")
        if other is None:
            return None
        sizes = tuple(other.shape)
    else:
        sizes = _varargs(e)
    xs = tuple(x.shape)
    if len(sizes) != len(out) or len(sizes) < len(xs):
        return None
    new = len(sizes) - len(xs)
    lab = generic_labels(len(out))
    dims = []
    for j, s in enumerate(sizes):
        if j < new:
            dims.append(DimWhy(j, lab[j], out[j], f"{out[j]}", "a new leading axis (no copy)"))
            continue
        L = xs[j - new]
        if s == -1 or s == L:
            dims.append(kept(j, lab[j], L))
        else:
            dims.append(DimWhy(j, lab[j], out[j], f"{L} → {out[j]}", "a size-1 axis broadcast (no copy)"))
    call = name if name == "expand_as" else _call(e, sizes)
    return Explanation(e.op, f"{call}: {shp(xs)} → {shp(out)}", tuple(dims))


def repeat_interleave(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    r = e.arg(1, "repeats")
    if x is None or out is None or not is_int(r):
        return None
    xs = tuple(x.shape)
    d = e.arg(2, "dim", None)
    if d is None:
        n = prod(xs)
        return Explanation(e.op, f"repeat_interleave({r}): flattens {shp(xs)} first",
                           (DimWhy(0, "dim 0", out[0], f"{n}·{r} = {out[0]}", "each element repeated"),))
    a = norm_dim(d, len(xs))
    if a is None:
        return None
    lab = generic_labels(len(out))
    dims = tuple(DimWhy(j, lab[j], out[j], f"{xs[j]}·{r} = {out[j]}", f"each entry repeated {r} times in place")
                 if j == a else kept(j, lab[j], xs[j]) for j in range(len(out)))
    return Explanation(e.op, f"repeat_interleave({r}, dim {d}): {shp(xs)} → {shp(out)}", dims)


FULL: dict = {}
register(FULL, ["Tensor.__getitem__"], getitem)
register(FULL, both("chunk", "split", "unbind"), split)
register(FULL, both(*REDUCTIONS), reduce)
register(FULL, both("repeat", "tile"), repeat)
register(FULL, both("expand", "expand_as", "broadcast_to"), expand)
register(FULL, both("repeat_interleave"), repeat_interleave)
