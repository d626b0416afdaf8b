"""Resampling: interpolate/upsample, pad, unfold (im2col and Tensor.unfold), pixel_shuffle."""
from __future__ import annotations

import math

from ..capture.events import OpEvent
from .explain import (DimWhy, Explanation, generic_labels, ints, is_int, kept, num, out_shape,
                      prod, register, shp, tensor, term, times)
from .explain_window import _param, kernel_text, labels, window_size

def interpolate(e: OpEvent, trace=None):
    x = tensor(e, 0, "input")
    out = out_shape(e)
    if x is None or out is None or len(x.shape) < 3:
        return None
    nd = len(x.shape) - 2
    size = e.arg(1, "size", None)
    sf = e.arg(2, "scale_factor", None)
    mode = e.arg(3, "mode", "nearest")
    xs = tuple(x.shape)
    lab = labels(len(xs), nd)
    dims = [kept(0, lab[0], xs[0]), kept(1, lab[1], xs[1])]
    if size is not None:
        sizes = ints(size, nd)
        if sizes is None:
            return None
        for i in range(nd):
            dims.append(DimWhy(2 + i, lab[2 + i], sizes[i], f"size = {sizes[i]}",
                               f"given size, from {xs[2 + i]}"))
        how = f"size {_param(sizes)}"
    elif sf is not None:
        if isinstance(sf, (int, float)) and not isinstance(sf, bool):
            sfs = (sf,) * nd
        elif isinstance(sf, (list, tuple)) and len(sf) == nd:
            sfs = tuple(sf)
        else:
            return None
        for i in range(nd):
            L, f = xs[2 + i], sfs[i]
            axis = 2 + i
            if is_int(L) and isinstance(f, (int, float)):
                exact = float(L * f)
                size = math.floor(exact)
                formula = f"⌊{L}·{num(f)}⌋ = {size}"
                if exact != size:
                    note = f"{L}·{num(f)} = {num(exact)}, rounded down"
                elif f == 2:
                    note = "scale_factor 2 doubles it"
                else:
                    note = f"{L}·{num(f)} = {size} exactly"
            else:
                size = out[axis] if axis < len(out) else "?"
                formula, note = f"⌊{term(L)}·{num(f)}⌋ = {size}", ""
            dims.append(DimWhy(axis, lab[axis], size, formula, note))
        how = f"scale_factor {_param(sfs)}"
    else:
        return None
    summary = f"interpolate ({mode}), {how}: {times(xs[1:])} → {times(out[1:])}"
    return Explanation(e.op, summary, tuple(dims))


def pad(e: OpEvent, trace=None):
    x = tensor(e, 0, "input")
    out = out_shape(e)
    p = e.arg(1, "pad")
    if x is None or out is None or not isinstance(p, (list, tuple)) or len(p) % 2:
        return None
    mode = e.arg(2, "mode", "constant")
    xs = tuple(x.shape)
    n = len(xs)
    lab = generic_labels(n)
    changed = {}
    for j in range(len(p) // 2):
        changed[n - 1 - j] = (p[2 * j], p[2 * j + 1])
    dims = []
    for a in range(n):
        if a not in changed:
            dims.append(kept(a, lab[a], xs[a]))
            continue
        lft, rgt = changed[a]
        L = xs[a]
        size = L + lft + rgt if all(is_int(v) for v in (L, lft, rgt)) else out[a]

        def signed(v):
            return f"+ {v}" if not is_int(v) or v >= 0 else f"− {-v}"
        formula = f"{term(L)} {signed(lft)} {signed(rgt)} = {size}"
        if is_int(lft) and is_int(rgt) and (lft < 0 or rgt < 0):
            note = "negative padding crops"
        elif lft == rgt:
            note = f"{lft} on each side ({mode})"
        else:
            note = f"{lft} before, {rgt} after ({mode})"
        dims.append(DimWhy(a, lab[a], size, formula, note))
    summary = (f"pad {tuple(p)} ({mode}), pairs from the last axis backwards: "
               f"{shp(xs)} → {shp(out)}")
    return Explanation(e.op, summary, tuple(dims))


def im2col(e: OpEvent, trace=None):
    """F.unfold: (N, C, H, W) → (N, C·kh·kw, L) with L the number of window positions."""
    x = tensor(e, 0, "input")
    out = out_shape(e)
    if x is None or out is None or len(x.shape) not in (3, 4):
        return None
    ks = ints(e.arg(1, "kernel_size"), 2)
    dil = ints(e.arg(2, "dilation", 1), 2)
    pads = ints(e.arg(3, "padding", 0), 2)
    stride = ints(e.arg(4, "stride", 1), 2)
    if None in (ks, dil, pads, stride):
        return None
    xs = tuple(x.shape)
    C, H, W = xs[-3:]
    blocks = []
    parts = []
    for i, L in enumerate((H, W)):
        if not all(is_int(v) for v in (L, ks[i], stride[i], pads[i], dil[i])):
            return None
        b, _ = window_size(L, ks[i], stride[i], pads[i], pads[i], dil[i])
        blocks.append(b)
        parts.append(f"{'HW'[i]}: ⌊({L} + 2·{pads[i]} − {dil[i]}·({ks[i]}−1) − 1)/{stride[i]}⌋ + 1 = {b}")
    lead = len(xs) - 3
    dims = [kept(0, "N", xs[0])] if lead else []
    cols = prod((C, ks[0], ks[1]))
    dims.append(DimWhy(lead, "C·k", cols if cols is not None else out[lead],
                       f"{C}·{ks[0]}·{ks[1]} = {cols}", "one column per window: every channel's kernel patch"))
    nblocks = blocks[0] * blocks[1]
    dims.append(DimWhy(lead + 1, "L", nblocks, f"{blocks[0]}·{blocks[1]} = {nblocks}",
                       "number of window positions; " + ", ".join(parts)))
    summary = f"unfold (im2col) {kernel_text(ks, 2)}, stride {_param(stride)}: {shp(xs)} → {shp(out)}"
    return Explanation(e.op, summary, tuple(dims))


def tensor_unfold(e: OpEvent, trace=None):
    """Tensor.unfold(dimension, size, step): windows along one axis, window as a new last axis."""
    x = tensor(e, 0, "self")
    out = out_shape(e)
    dim, size, step = e.arg(1, "dimension"), e.arg(2, "size"), e.arg(3, "step")
    if x is None or out is None or not all(is_int(v) for v in (dim, size, step)):
        return None
    xs = tuple(x.shape)
    n = len(xs)
    a = dim + n if dim < 0 else dim
    if not 0 <= a < max(n, 1):
        return None
    lab = generic_labels(n + 1)
    dims = [kept(i, lab[i], xs[i]) for i in range(n) if i != a]
    L = xs[a] if n else 1
    count = (L - size) // step + 1 if is_int(L) else out[a]
    dims.append(DimWhy(a, lab[a], count, f"⌊({L} − {size})/{step}⌋ + 1 = {count}",
                       f"windows of {size} every {step}"))
    dims.append(DimWhy(n, lab[n], size, f"size = {size}", "each window as a new last axis"))
    dims.sort(key=lambda d: d.axis)
    return Explanation(e.op, f"unfold(dim {dim}, size {size}, step {step}): {shp(xs)} → {shp(out)}",
                       tuple(dims))


def pixel_shuffle(down: bool):
    def explain(e: OpEvent, trace=None):
        x = tensor(e, 0, "input")
        out = out_shape(e)
        r = e.arg(1, "downscale_factor" if down else "upscale_factor")
        if x is None or out is None or not is_int(r) or len(x.shape) < 3:
            return None
        xs = tuple(x.shape)
        n = len(xs)
        lab = labels(n, 2)
        C, H, W = xs[-3:]
        if not all(is_int(v) for v in (C, H, W)):
            return None
        dims = [kept(i, lab[i], xs[i]) for i in range(n - 3)]
        if down:
            dims += [DimWhy(n - 3, "C", C * r * r, f"{C}·{r}² = {C * r * r}", f"each {r}×{r} block goes to channels"),
                     DimWhy(n - 2, "H", H // r, f"{H}/{r} = {H // r}"),
                     DimWhy(n - 1, "W", W // r, f"{W}/{r} = {W // r}")]
        else:
            dims += [DimWhy(n - 3, "C", C // (r * r), f"{C}/{r}² = {C // (r * r)}", f"groups of {r * r} channels become {r}×{r} blocks"),
                     DimWhy(n - 2, "H", H * r, f"{H}·{r} = {H * r}"),
                     DimWhy(n - 1, "W", W * r, f"{W}·{r} = {W * r}")]
        name = "pixel_unshuffle" if down else "pixel_shuffle"
        return Explanation(e.op, f"{name}({r}): {shp(xs)} → {shp(out)}", tuple(dims))
    return explain


FULL: dict = {}
register(FULL, ["F.interpolate", "F.upsample", "F.upsample_nearest", "F.upsample_bilinear"], interpolate)
FULL["F.pad"] = pad
FULL["F.unfold"] = im2col
FULL["Tensor.unfold"] = tensor_unfold
FULL["F.pixel_shuffle"] = FULL["torch.pixel_shuffle"] = pixel_shuffle(False)
FULL["F.pixel_unshuffle"] = FULL["torch.pixel_unshuffle"] = pixel_shuffle(True)
