"""Sliding windows: conv, transposed conv, pooling (plain and adaptive).

The formulas are written out in full with the numbers filled in, as in the PyTorch docs, so
users can redo them by hand; the note says in plain words what happened to the size.
"""
from __future__ import annotations

import math

from ..capture.events import OpEvent
from .explain import (DimWhy, Explanation, generic_labels, ints, is_int, kept, num, out_shape,
                      register, shp, tensor, term, times)

SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
UNIT = {"L": "position", "D": "slice", "H": "row", "W": "column"}


def labels(ndim: int, nd: int) -> list[str]:
    """Axis labels of a tensor with ``nd`` spatial dims: N, C, then D/H/W or L."""
    lead = ndim - nd
    if lead < 0 or lead > 2 or nd not in SPATIAL:
        return generic_labels(ndim)
    return ["N", "C"][2 - lead:] + list(SPATIAL[nd])


def _s(n: int, word: str) -> str:
    return f"{n} {word}" + ("s" if n != 1 else "")


def kernel_text(ks: tuple, nd: int) -> str:
    """``3×3`` for 2-D/3-D kernels, ``3`` for 1-D ones."""
    return "×".join(str(k) for k in ks) if nd > 1 else str(ks[0])


def kernel_desc(ks: tuple, i: int) -> str:
    """How the note names the kernel along axis ``i``: 'a 3×3', or '5-wide' when uneven."""
    if len(ks) > 1 and len(set(ks)) == 1:
        return "×".join(str(k) for k in ks)
    return f"{ks[i]}-wide"


def _param(values: tuple) -> str:
    if len(set(values)) == 1:
        return num(values[0])
    return "(" + ", ".join(num(v) for v in values) + ")"


def _result(shape) -> str:
    """The output of a sliding window; sizes below 1 mean no window fits."""
    text = "×".join(num(d) if is_int(d) else term(d) for d in shape)
    return text + " (empty: no window fits)" if any(is_int(d) and d < 1 for d in shape) else text


def window_size(L, k, s, pl, pr, d, ceil_mode=False):
    """(output size, whether ceil_mode's last window was dropped) — torch's pooling_output_shape."""
    span = L + pl + pr - d * (k - 1) - 1
    if ceil_mode:
        out = -(-span // s) + 1
        if (out - 1) * s >= L + pl:
            return out - 1, True
        return out, False
    return span // s + 1, False


def window_note(L, k, s, pl, pr, d, out, unit, kdesc, *, noun="kernel", ceil_mode=False,
                ceil_dropped=False, same=False) -> str:
    if not all(is_int(v) for v in (L, k, s, pl, pr, d, out)):
        return ""
    ke = d * (k - 1) + 1
    if out < 1:
        have = f"the padded input has {L + pl + pr}" if pl + pr else f"the input has only {L}"
        return f"the {noun} spans {ke} but {have}: no window fits"
    parts = []
    if d > 1:
        parts.append(f"dilation {d} spreads the {k}-wide {noun} over {ke}")
    if same:
        parts.append(f"padding='same' pads {pl} on each side, keeping the size" if pl == pr else
                     f"padding='same' pads {pl} before and {pr} after, keeping the size")
    elif s == 1:
        diff = L - out
        pad = f"padding {pl}" if pl == pr else f"padding {pl}+{pr}"
        what = f"a {kdesc} {noun}"
        if diff == 0:
            parts.append(f"{pad} keeps the size" if pl + pr else f"a 1-wide {noun} keeps the size")
        elif diff > 0:
            lost = f"loses {diff // 2} on each side" if diff % 2 == 0 else f"loses {diff} in all"
            parts.append(f"{what} without padding {lost}" if pl + pr == 0 else
                         f"{pad} makes up for only part of {what}: {lost}")
        else:
            parts.append(f"{pad} adds more than {what} takes: grows by {-diff}")
    else:
        span = L + pl + pr - ke
        r = span % s
        real_drop = max(0, r - pr)
        if ceil_mode and r:
            parts.append("ceil_mode keeps the partial window" +
                         ("; one would start in the padding, so it is dropped" if ceil_dropped else ""))
        elif real_drop:
            if s == 2 and real_drop == 1 and pl + pr == 0 and ke == 2:
                return f"{L} is odd, the last {unit} is dropped"
            verb = "doesn't reach a full stride and is" if real_drop == 1 else "don't reach a full stride and are"
            parts.append(f"stride {s}: the last {_s(real_drop, unit)} {verb} dropped")
        elif out * s == L:
            parts.append("stride 2 halves it" if s == 2 else f"stride {s} divides it by {s}")
        else:
            parts.append(f"stride {s}: one window every {s} {unit}s")
    return "; ".join(parts)


def _io(e: OpEvent, nd: int):
    x = tensor(e, 0, "input")
    if x is None or len(x.shape) < nd + 1:
        return None
    out = out_shape(e)
    return x, out


def _actual(out, axis):
    if out is not None and axis < len(out):
        return out[axis]
    return "?"


def conv(nd: int):
    def explain(e: OpEvent, trace=None):
        io = _io(e, nd)
        w = tensor(e, 1, "weight")
        if io is None or w is None or len(w.shape) != nd + 2:
            return None
        x, out = io
        stride = ints(e.arg(3, "stride", 1), nd)
        padding = e.arg(4, "padding", 0)
        dilation = ints(e.arg(5, "dilation", 1), nd)
        groups = e.arg(6, "groups", 1)
        ks = tuple(w.shape[2:])
        same = padding == "same"
        if isinstance(padding, str) and padding in ("same", "valid"):
            pads = None
        else:
            pads = ints(padding, nd)
            if pads is None:
                return None
        if stride is None or dilation is None:
            return None
        xs = tuple(x.shape)
        lab = labels(len(xs), nd)
        batched = len(xs) == nd + 2
        dims: list[DimWhy] = []
        shape_out = list(xs[:-nd - 1]) + [w.shape[0]]
        if batched:
            dims.append(kept(0, lab[0], xs[0]))
        c_axis = len(xs) - nd - 1
        O = w.shape[0]
        note = f"the weight {shp(w.shape)} holds {O} filters of {times(w.shape[1:])}"
        if is_int(groups) and groups > 1:
            note += f", in {groups} groups of {w.shape[1]} input channels"
        dims.append(DimWhy(c_axis, "C", O, f"out_channels = {O}", note))
        for i in range(nd):
            L, k, s, d = xs[-nd + i], ks[i], stride[i], dilation[i]
            axis = len(xs) - nd + i
            if same:
                total = d * (k - 1) if is_int(d) and is_int(k) else None
                pl, pr = (total // 2, total - total // 2) if total is not None else ("?", "?")
                pad_text = f"({pl}+{pr})"
            else:
                pl = pr = pads[i] if pads is not None else 0
                pad_text = f"2·{pl}"
            size, _ = (window_size(L, k, s, pl, pr, d)
                       if all(is_int(v) for v in (L, k, s, pl, pr, d)) else (_actual(out, axis), False))
            shape_out.append(size)
            formula = f"⌊({term(L)} + {pad_text} − {d}·({k}−1) − 1)/{s}⌋ + 1 = {num(size)}"
            note = window_note(L, k, s, pl, pr, d, size, UNIT.get(lab[axis], "position"),
                               kernel_desc(ks, i), same=same)
            padded_by = _padded_before(e, trace, axis, size)
            if padded_by:
                note = (note + "; " if note else "") + padded_by
            dims.append(DimWhy(axis, lab[axis], size, formula, note))
        head = f"conv {kernel_text(ks, nd)}" if nd > 1 else f"conv1d, kernel {ks[0]}"
        pad_sum = f"'{padding}'" if isinstance(padding, str) else _param(pads)
        extra = ""
        if any(d != 1 for d in dilation):
            extra += f", dilation {_param(dilation)}"
        if is_int(groups) and groups != 1:
            extra += f", groups {groups}"
        lead = 1 if batched else 0
        summary = (f"{head}, stride {_param(stride)}, padding {pad_sum}{extra}: "
                   f"{times(xs[lead:])} → {_result(shape_out[lead:])}")
        return Explanation(e.op, summary, tuple(dims))
    return explain


def _padded_before(e: OpEvent, trace, axis: int, size) -> str:
    """nn.Conv with padding_mode != 'zeros' pads with F.pad first: say so."""
    if trace is None or not e.inputs or e.inputs[0].producer is None:
        return ""
    try:
        p = trace.events[e.inputs[0].producer]
    except IndexError:
        return ""
    pads = p.arg(1, "pad")
    if p.op != "F.pad" or p.module != e.module or not isinstance(pads, (list, tuple)) or not p.inputs:
        return ""
    mode = p.arg(2, "mode", "constant")
    j = len(e.inputs[0].shape) - 1 - axis
    if 2 * j + 1 >= len(pads):
        return ""
    lft, rgt = pads[2 * j], pads[2 * j + 1]
    if not (lft or rgt):
        return ""
    before = p.inputs[0].shape[axis] if axis < len(p.inputs[0].shape) else "?"
    amount = f"{lft} on each side" if lft == rgt else f"{lft} before and {rgt} after"
    result = f"the size stays {size}" if before == size else f"{before} → {size} overall"
    return f"F.pad ({mode}) added {amount} just before, so {result}"


def conv_transpose(nd: int):
    def explain(e: OpEvent, trace=None):
        io = _io(e, nd)
        w = tensor(e, 1, "weight")
        if io is None or w is None or len(w.shape) != nd + 2:
            return None
        x, out = io
        stride = ints(e.arg(3, "stride", 1), nd)
        pads = ints(e.arg(4, "padding", 0), nd)
        opad = ints(e.arg(5, "output_padding", 0), nd)
        groups = e.arg(6, "groups", 1)
        dilation = ints(e.arg(7, "dilation", 1), nd)
        if None in (stride, pads, opad, dilation):
            return None
        ks = tuple(w.shape[2:])
        xs = tuple(x.shape)
        lab = labels(len(xs), nd)
        batched = len(xs) == nd + 2
        dims: list[DimWhy] = []
        if batched:
            dims.append(kept(0, lab[0], xs[0]))
        g = groups if is_int(groups) else 1
        O = w.shape[1] * g if is_int(w.shape[1]) else w.shape[1]
        c_axis = len(xs) - nd - 1
        formula = f"{w.shape[1]}·{g} = {O}" if g != 1 else f"out_channels = {O}"
        dims.append(DimWhy(c_axis, "C", O, formula,
                           f"a transposed weight is [in, out/groups, …]: {shp(w.shape)} gives {O} channels"))
        shape_out = list(xs[:-nd - 1]) + [O]
        for i in range(nd):
            L, k, s, p, op, d = xs[-nd + i], ks[i], stride[i], pads[i], opad[i], dilation[i]
            axis = len(xs) - nd + i
            if all(is_int(v) for v in (L, k, s, p, op, d)):
                size = (L - 1) * s - 2 * p + d * (k - 1) + op + 1
            else:
                size = _actual(out, axis)
            shape_out.append(size)
            formula = f"({term(L)} − 1)·{s} − 2·{p} + {d}·({k}−1) + {op} + 1 = {size}"
            note = ""
            if is_int(size) and is_int(L) and is_int(s):
                unit = UNIT.get(lab[axis], "position")
                if s > 1 and size == L * s:
                    note = f"stride {s} multiplies it by {s}"
                    if op:
                        note += f"; output_padding {op} adds back the last {_s(op, unit)}"
                elif s > 1:
                    note = f"stride {s} spreads the input {s} apart"
                    if op:
                        note += f"; output_padding {op} adds {_s(op, unit)} at the end"
                elif size == L:
                    note = f"padding {p} keeps the size"
                elif size > L:
                    note = f"the {k}-wide kernel grows it by {size - L}"
            dims.append(DimWhy(axis, lab[axis], size, formula, note))
        lead = 1 if batched else 0
        head = f"conv_transpose {kernel_text(ks, nd)}" if nd > 1 else f"conv_transpose1d, kernel {ks[0]}"
        extra = f", output_padding {_param(opad)}" if any(v != 0 for v in opad) else ""
        if any(v != 1 for v in dilation):
            extra += f", dilation {_param(dilation)}"
        summary = (f"{head}, stride {_param(stride)}, padding {_param(pads)}{extra}: "
                   f"{times(xs[lead:])} → {times(shape_out[lead:])}")
        return Explanation(e.op, summary, tuple(dims))
    return explain


# positions of (stride, padding, dilation, ceil_mode) after (input, kernel_size)
_POOL_POS = {"max": (2, 3, 4, 5), "avg": (2, 3, None, 4), "lp": (3, None, None, 4)}


def pool(nd: int, kind: str):
    def explain(e: OpEvent, trace=None):
        io = _io(e, nd)
        if io is None:
            return None
        x, out = io
        ps, pp, pd, pc = _POOL_POS[kind]
        kpos = 2 if kind == "lp" else 1
        ks = ints(e.arg(kpos, "kernel_size"), nd)
        stride_arg = e.arg(ps, "stride", None)
        stride = ks if stride_arg is None or stride_arg == () or stride_arg == [] else ints(stride_arg, nd)
        pads = ints(e.arg(pp, "padding", 0), nd) if pp is not None else (0,) * nd
        dil = ints(e.arg(pd, "dilation", 1), nd) if pd is not None else (1,) * nd
        ceil_mode = bool(e.arg(pc, "ceil_mode", False))
        if None in (ks, stride, pads, dil):
            return None
        xs = tuple(x.shape)
        lab = labels(len(xs), nd)
        dims = [kept(a, lab[a], xs[a]) for a in range(len(xs) - nd)]
        shape_out = list(xs[:-nd])
        for i in range(nd):
            L, k, s, p, d = xs[-nd + i], ks[i], stride[i], pads[i], dil[i]
            axis = len(xs) - nd + i
            dropped = False
            if all(is_int(v) for v in (L, k, s, p, d)):
                size, dropped = window_size(L, k, s, p, p, d, ceil_mode)
            else:
                size = _actual(out, axis)
            shape_out.append(size)
            lo, hi = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
            if d != 1:
                inner = f"{term(L)} + 2·{p} − {d}·({k}−1) − 1"
            elif p:
                inner = f"{term(L)} + 2·{p} − {k}"
            else:
                inner = f"{term(L)} − {k}"
            formula = f"{lo}({inner})/{s}{hi} + 1{' − 1' if dropped else ''} = {num(size)}"
            note = window_note(L, k, s, p, p, d, size, UNIT.get(lab[axis], "position"),
                               kernel_desc(ks, i), noun="window", ceil_mode=ceil_mode,
                               ceil_dropped=dropped)
            dims.append(DimWhy(axis, lab[axis], size, formula, note))
        name = {"max": "max_pool", "avg": "avg_pool", "lp": "lp_pool"}[kind]
        head = f"{name} {kernel_text(ks, nd)}" if nd > 1 else f"{name}1d, window {ks[0]}"
        extra = f", padding {_param(pads)}" if any(p != 0 for p in pads) else ""
        if any(d != 1 for d in dil):
            extra += f", dilation {_param(dil)}"
        if ceil_mode:
            extra += ", ceil_mode"
        lead = 1 if len(xs) == nd + 2 else 0
        summary = f"{head}, stride {_param(stride)}{extra}: {times(xs[lead:])} → {_result(shape_out[lead:])}"
        return Explanation(e.op, summary, tuple(dims))
    return explain


def adaptive_pool(nd: int, kind: str):
    def explain(e: OpEvent, trace=None):
        io = _io(e, nd)
        if io is None:
            return None
        x, out = io
        req = e.arg(1, "output_size")
        sizes = ints(req, nd) if req is not None else None
        if sizes is None:
            return None
        xs = tuple(x.shape)
        lab = labels(len(xs), nd)
        dims = [kept(a, lab[a], xs[a]) for a in range(len(xs) - nd)]
        shape_out = list(xs[:-nd])
        for i in range(nd):
            L, o = xs[-nd + i], sizes[i]
            axis = len(xs) - nd + i
            unit = UNIT.get(lab[axis], "position")
            if o is None:
                shape_out.append(L)
                dims.append(DimWhy(axis, lab[axis], L, f"None → input size {L}", "output_size None keeps it"))
                continue
            shape_out.append(o)
            note = ""
            if is_int(L) and is_int(o) and o > 0:
                if o == 1:
                    note = f"one window over all {_s(L, unit)} (global pooling)"
                elif L % o == 0:
                    note = f"{L}/{o}: windows of {_s(L // o, unit)}"
                elif o <= 1024:
                    widths = {math.ceil((j + 1) * L / o) - (j * L) // o for j in range(o)}
                    lo, hi = min(widths), max(widths)
                    span = f"{lo}–{hi}" if lo != hi else str(lo)
                    note = f"windows of {span} {unit}s (overlapping) are chosen to give exactly {o}"
                    if o > L:
                        note += f" (more outputs than the {L} input {unit}s: windows repeat)"
            dims.append(DimWhy(axis, lab[axis], o, f"output_size = {o}", note))
        lead = 1 if len(xs) == nd + 2 else 0
        summary = (f"adaptive_{kind}_pool{nd}d to {times(shape_out[-nd:])}: "
                   f"{times(xs[lead:])} → {times(shape_out[lead:])}")
        return Explanation(e.op, summary, tuple(dims))
    return explain


FULL: dict = {}
ON_ERROR: set = set()
for _nd in (1, 2, 3):
    _c = conv(_nd)
    FULL[f"F.conv{_nd}d"] = _c
    FULL[f"torch.conv{_nd}d"] = _c
    ON_ERROR.add(_c)
    FULL[f"F.conv_transpose{_nd}d"] = FULL[f"torch.conv_transpose{_nd}d"] = conv_transpose(_nd)
    for _kind in ("max", "avg"):
        _p = pool(_nd, _kind)
        ON_ERROR.add(_p)
        register(FULL, [f"F.{_kind}_pool{_nd}d", f"torch.{_kind}_pool{_nd}d"], _p)
        register(FULL, [f"F.adaptive_{_kind}_pool{_nd}d", f"torch.adaptive_{_kind}_pool{_nd}d"],
                 adaptive_pool(_nd, _kind))
    FULL[f"F.max_pool{_nd}d_with_indices"] = FULL[f"F.max_pool{_nd}d"]
    FULL[f"F.adaptive_max_pool{_nd}d_with_indices"] = FULL[f"F.adaptive_max_pool{_nd}d"]
    FULL[f"F.lp_pool{_nd}d"] = pool(_nd, "lp")
