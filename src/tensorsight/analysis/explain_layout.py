"""Layout ops: view/reshape/flatten, squeeze/unsqueeze, permute/transpose, cat/stack; also the
arithmetic of a view that fails (``view_failure``)."""
from __future__ import annotations

from ..capture.events import OpEvent, TensorMeta
from .explain import (DimWhy, Explanation, both, dot, generic_labels, is_int, kept,
                      norm_dim, out_shape, prod, register, shp, tensor)


def _self(e: OpEvent) -> TensorMeta | None:
    return tensor(e, 0, "input") or tensor(e, 0, "self")


def _varargs(e: OpEvent, names=("shape", "size", "dims", "sizes", "repeats")):
    """Sizes given as ``view(2, -1)``, ``view((2, -1))`` or ``view(shape=(2, -1))``."""
    for n in names:
        if n in e.kwargs:
            v = e.kwargs[n]
            return tuple(v) if isinstance(v, (list, tuple)) else (v,)
    rest = e.args[1:]
    if len(rest) == 1 and isinstance(rest[0], (list, tuple)):
        return tuple(rest[0])
    return tuple(rest)


def _name(e: OpEvent) -> str:
    return e.op.rsplit(".", 1)[-1]


def _call(e: OpEvent, values) -> str:
    return f"{_name(e)}({', '.join(str(v) for v in values)})"


# -- view / reshape / flatten -----------------------------------------------------------------

def groups(a: tuple, b: tuple):
    """Match input axes to output axes of a view: [(input axes, output axes)], None if unclear.

    Size-1 axes that appear or vanish get an empty partner list.
    """
    if not all(is_int(v) and v > 0 for v in a + b):
        return None
    res = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j < len(b) and b[j] == 1 and (i >= len(a) or a[i] != 1):
            res.append(([], [j]))
            j += 1
            continue
        if i < len(a) and a[i] == 1 and (j >= len(b) or b[j] != 1):
            res.append(([i], []))
            i += 1
            continue
        if i >= len(a) or j >= len(b):
            return None
        ia, ja, pa, pb = [i], [j], a[i], b[j]
        i += 1
        j += 1
        while pa != pb:
            if pa < pb:
                if i >= len(a):
                    return None
                pa *= a[i]
                ia.append(i)
                i += 1
            else:
                if j >= len(b):
                    return None
                pb *= b[j]
                ja.append(j)
                j += 1
        res.append((ia, ja))
    return res


def _axes(ax: list[int]) -> str:
    return f"axis {ax[0]}" if len(ax) == 1 else f"axes {ax[0]}–{ax[-1]}"


def _regroup_dims(xs: tuple, out: tuple, req: tuple | None, n) -> list[DimWhy]:
    lab = generic_labels(len(out))
    why: dict[int, tuple[str, str]] = {}
    g = groups(xs, out)
    for ia, ja in g or ():
        if not ja:
            continue
        if not ia:
            why[ja[0]] = ("1", "new size-1 axis")
        elif len(ia) == 1 and len(ja) == 1:
            if ia[0] != ja[0]:
                why[ja[0]] = (str(out[ja[0]]), f"input axis {ia[0]}")
        elif len(ja) == 1:
            why[ja[0]] = (f"{dot(xs[a] for a in ia)} = {out[ja[0]]}", f"merges input {_axes(ia)}")
        elif len(ia) == 1:
            for j in ja:
                why[j] = (str(out[j]), f"splits input axis {ia[0]}: {xs[ia[0]]} = {dot(out[k] for k in ja)}")
        else:
            for j in ja:
                why[j] = (str(out[j]), f"regroups input {_axes(ia)}: "
                                       f"{dot(xs[a] for a in ia)} = {dot(out[k] for k in ja)}")
    dims = []
    if len(xs) > 1 and is_int(n):
        held = f"the input {shp(xs)} holds {dot(xs)} = {n} elements"
    else:
        held = f"the input {shp(xs)} holds {n} elements"
    for j, size in enumerate(out):
        if req is not None and j < len(req) and req[j] == -1 and len(req) == len(out):
            others = [r for k, r in enumerate(req) if k != j]
            if not others:
                dims.append(DimWhy(j, lab[j], size, f"-1 = {n}", held))
            else:
                expr = str(others[0]) if len(others) == 1 else f"({dot(others)})"
                dims.append(DimWhy(j, lab[j], size, f"-1 = {n} / {expr} = {size}", held))
        elif j in why:
            formula, note = why[j]
            dims.append(DimWhy(j, lab[j], size, formula, note))
        else:
            dims.append(kept(j, lab[j], size))
    return dims


def view(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    name = _name(e)
    if name in ("view_as", "reshape_as"):
        other = tensor(e, 1, "other")
        if other is None:
            return None
        req = tuple(other.shape)
    else:
        req = _varargs(e)
        if any(isinstance(r, str) and r.startswith("torch.") for r in req):
            return None  # view(dtype)
    xs = tuple(x.shape)
    n = prod(xs)
    n = n if n is not None else dot(xs)
    dims = _regroup_dims(xs, out, req, n)
    summary = f"{_call(e, req) if name not in ('view_as', 'reshape_as') else name}: {shp(xs)} → {shp(out)}"
    if len(xs) > 1:
        summary += f", {dot(xs)} = {n} elements" if is_int(n) else f", {dot(xs)} elements"
    return Explanation(e.op, summary, tuple(dims))


def flatten(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    xs = tuple(x.shape)
    if not xs:
        return Explanation(e.op, f"flatten: scalar → {shp(out)}", (DimWhy(0, "dim 0", 1, "1", "a scalar becomes one element"),))
    s = norm_dim(e.arg(1, "start_dim", 0), len(xs))
    t = norm_dim(e.arg(2, "end_dim", -1), len(xs))
    if s is None or t is None or t < s:
        return None
    lab = generic_labels(len(out))
    dims = [kept(j, lab[j], out[j]) for j in range(s)]
    merged = xs[s:t + 1]
    size = out[s]
    if len(merged) > 1:
        dims.append(DimWhy(s, lab[s], size, f"{dot(merged)} = {size}", f"merges axes {s}–{t}"))
    else:
        dims.append(kept(s, lab[s], size))
    dims += [kept(j, lab[j], out[j]) for j in range(s + 1, len(out))]
    args = [v for v in e.args[1:]] + [f"{k}={v}" for k, v in e.kwargs.items()]
    return Explanation(e.op, f"{_call(e, args)}: {shp(xs)} → {shp(out)}", tuple(dims))


def unflatten(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    d = e.arg(1, "dim")
    sizes = e.arg(2, "sizes")
    if x is None or out is None or not isinstance(sizes, (list, tuple)):
        return None
    xs = tuple(x.shape)
    a = norm_dim(d, len(xs))
    if a is None:
        return None
    lab = generic_labels(len(out))
    L = xs[a]
    dims = [kept(j, lab[j], out[j]) for j in range(a)]
    for k, r in enumerate(sizes):
        j = a + k
        if r == -1:
            others = [v for v in sizes if v != -1]
            expr = str(prod(others)) if len(others) == 1 else f"({dot(others)})"
            dims.append(DimWhy(j, lab[j], out[j], f"-1 = {L} / {expr} = {out[j]}", f"splits axis {a} ({L})"))
        else:
            dims.append(DimWhy(j, lab[j], out[j], str(out[j]),
                               f"splits axis {a}: {L} = {dot(out[a:a + len(sizes)])}"))
    dims += [kept(j, lab[j], out[j]) for j in range(a + len(sizes), len(out))]
    return Explanation(e.op, f"unflatten(dim {d}, {tuple(sizes)}): {shp(xs)} → {shp(out)}", tuple(dims))


# -- squeeze / unsqueeze / permute ------------------------------------------------------------

def squeeze(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    xs = tuple(x.shape)
    d = e.arg(1, "dim", None)
    lab = generic_labels(len(out))
    dims = tuple(kept(j, lab[j], out[j]) for j in range(len(out)))
    if d is None:
        gone = [a for a, v in enumerate(xs) if v == 1]
        what = f"removes the size-1 axes {gone}" if gone else "there is no size-1 axis, nothing is removed"
        return Explanation(e.op, f"squeeze(): {shp(xs)} → {shp(out)}; {what}", dims)
    asked = list(d) if isinstance(d, (list, tuple)) else [d]
    parts = []
    for v in asked:
        a = norm_dim(v, len(xs))
        if a is None:
            return None
        parts.append(f"axis {a} has size 1 and is removed" if xs[a] == 1 else
                     f"axis {a} has size {xs[a]}, not 1, so it stays")
    return Explanation(e.op, f"squeeze({d}): {shp(xs)} → {shp(out)}; " + ", ".join(parts), dims)


def unsqueeze(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    d = e.arg(1, "dim")
    if x is None or out is None or not is_int(d):
        return None
    xs = tuple(x.shape)
    a = d + len(xs) + 1 if d < 0 else d
    lab = generic_labels(len(out))
    dims = tuple(DimWhy(j, lab[j], 1, "1", f"new axis from unsqueeze({d})") if j == a
                 else kept(j, lab[j], out[j]) for j in range(len(out)))
    return Explanation(e.op, f"unsqueeze({d}): {shp(xs)} → {shp(out)}, a size-1 axis at {a}", dims)


def _permutation(e: OpEvent, n: int) -> list[int] | None:
    name = _name(e)
    if name == "permute":
        p = _varargs(e)
        perm = [norm_dim(v, n) for v in p]
    elif name in ("transpose", "swapaxes", "swapdims"):
        a = norm_dim(e.arg(1, "dim0", e.arg(1, "axis0")), n)
        b = norm_dim(e.arg(2, "dim1", e.arg(2, "axis1")), n)
        if a is None or b is None:
            return None
        perm = list(range(n))
        perm[a], perm[b] = perm[b], perm[a]
    elif name == "t":
        perm = [1, 0] if n == 2 else list(range(n))
    elif name in ("movedim", "moveaxis"):
        src, dst = e.arg(1, "source"), e.arg(2, "destination")
        src = list(src) if isinstance(src, (list, tuple)) else [src]
        dst = list(dst) if isinstance(dst, (list, tuple)) else [dst]
        src = [norm_dim(v, n) for v in src]
        dst = [norm_dim(v, n) for v in dst]
        if None in src or None in dst or len(src) != len(dst):
            return None
        perm = [-1] * n
        for s_, d_ in zip(src, dst):
            perm[d_] = s_
        rest = iter(a for a in range(n) if a not in src)
        perm = [v if v != -1 else next(rest) for v in perm]
    else:
        return None
    if None in perm or sorted(perm) != list(range(n)):
        return None
    return perm


def permute(e: OpEvent, trace=None):
    x = _self(e)
    out = out_shape(e)
    if x is None or out is None:
        return None
    xs = tuple(x.shape)
    perm = _permutation(e, len(xs))
    if perm is None:
        return None
    lab = generic_labels(len(out))
    dims = []
    for j, p in enumerate(perm):
        if p == j:
            dims.append(kept(j, lab[j], xs[p]))
        else:
            dims.append(DimWhy(j, lab[j], xs[p], f"input axis {p} = {xs[p]}", f"moved from axis {p}"))
    moved = [f"{p}→{j}" for j, p in enumerate(perm) if p != j]
    args = e.args[1:] if _name(e) != "permute" else _varargs(e)
    summary = f"{_call(e, args)}: {shp(xs)} → {shp(out)}"
    summary += f"; axes {', '.join(moved)}" if moved else "; nothing moves"
    return Explanation(e.op, summary, tuple(dims))


# -- cat / stack ------------------------------------------------------------------------------

def _tensor_list(e: OpEvent) -> list[TensorMeta] | None:
    ts = e.resolve(e.arg(0, "tensors"))
    if not isinstance(ts, (list, tuple)) or not ts or not all(isinstance(t, TensorMeta) for t in ts):
        return None
    return list(ts)


def cat(e: OpEvent, trace=None):
    ts = _tensor_list(e)
    out = out_shape(e)
    if ts is None or out is None:
        return None
    d = e.kwargs.get("axis", e.arg(1, "dim", 0))
    skipped = ""
    if len(out) != 1:
        kept_ts = [t for t in ts if tuple(t.shape) != (0,)]  # legacy: 1-D empty tensors are skipped
        if len(kept_ts) != len(ts):
            skipped = f" (the {len(ts) - len(kept_ts)} empty 1-D tensor(s) [0] are skipped)"
        ts = kept_ts
    a = norm_dim(d, len(out))
    if a is None or not ts:
        return None
    lab = generic_labels(len(out))
    sizes = [t.shape[a] for t in ts]
    dims = [kept(j, lab[j], out[j]) for j in range(len(out)) if j != a]
    dims.insert(a, DimWhy(a, lab[a], out[a], f"{' + '.join(str(s) for s in sizes)} = {out[a]}",
                          f"sizes along dim {a} add up"))
    ins = " + ".join(shp(t.shape) for t in ts)
    summary = f"cat along dim {a}: {ins} → {shp(out)}; every other axis must match{skipped}"
    return Explanation(e.op, summary, tuple(dims))


def stack(e: OpEvent, trace=None):
    ts = _tensor_list(e)
    out = out_shape(e)
    if ts is None or out is None:
        return None
    a = norm_dim(e.arg(1, "dim", 0), len(out))
    if a is None:
        return None
    lab = generic_labels(len(out))
    k = len(ts)
    dims = [kept(j, lab[j], out[j]) for j in range(len(out)) if j != a]
    dims.insert(a, DimWhy(a, lab[a], k, f"{k} tensors", f"stack adds a new axis at {a}, one entry per tensor"))
    summary = f"stack {k} × {shp(ts[0].shape)} along a new dim {a} → {shp(out)}; all inputs must have the same shape"
    return Explanation(e.op, summary, tuple(dims))


# -- a view that fails ------------------------------------------------------------------------

def view_failure(input_shape, requested) -> str:
    """Why ``view(requested)`` is invalid for a tensor of ``input_shape`` ('' when it is valid)."""
    shape = tuple(input_shape)
    req = tuple(requested)
    req_text = "[" + ", ".join(str(r) for r in req) + "]"
    numel = prod(shape)
    if numel is None or not all(is_int(r) for r in req):
        return f"shape '{req_text}' is invalid for input {shp(shape)}"
    head = f"shape '{req_text}' is invalid for input of size {numel}"
    if req.count(-1) > 1:
        return f"{head}: only one dimension can be -1 (inferred), {req.count(-1)} are"
    bad = [r for r in req if r < -1]
    if bad:
        return f"{head}: {bad[0]} is not a valid size"
    known = [r for r in req if r != -1]
    kp = prod(known)
    expr = dot(known) if len(known) > 1 else str(kp)
    if -1 in req:
        if kp == 0:
            return f"{head}: -1 cannot be inferred when the other sizes multiply to 0"
        if numel % kp == 0:
            return ""
        return (f"{head}: -1 = {numel} / {expr} = {numel / kp:.4g} is not a whole number "
                f"({numel} is not a multiple of {kp})")
    if kp == numel:
        return ""
    text = f"{head}: {expr} = {kp} ≠ {numel}" if len(known) > 1 else f"{head}: {kp} ≠ {numel}"
    for k in range(len(req) - 1, 0, -1):
        p = prod(req[:k])
        if p and numel % p == 0:
            return text + f" = {' × '.join(str(r) for r in req[:k])} × {numel // p}"
    if len(shape) > 1:
        text += f" = {' × '.join(str(v) for v in shape)}"
    return text


FULL: dict = {}
register(FULL, both("view", "reshape", "view_as", "reshape_as"), view)
register(FULL, both("flatten"), flatten)
register(FULL, both("unflatten"), unflatten)
register(FULL, both("squeeze"), squeeze)
register(FULL, both("unsqueeze"), unsqueeze)
register(FULL, both("permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis"), permute)
register(FULL, ["torch.cat", "torch.concat", "torch.concatenate"], cat)
register(FULL, ["torch.stack"], stack)
