"""Edit templates on sizes, placed where the data is made: an input the network cannot take
(resized where samples are loaded, or padded with the output cropped back), and a per-pixel
prediction coarser than its labels (resized where it is flattened).

The sizes the network takes come from the Trace: the product of the strides of the
downsampling ops the model ran (a map joined with a skip of another depth needs a multiple of
it; a window needs a map at least its size).
"""
from __future__ import annotations

import re

from ...shapes import fmt_shape
from ..edit import edits
from .candidate import Candidate, Context
from .sites import Site
from .templates_producer import CLASS_LOSSES, _single_assignment


# -- an input size the network does not take --------------------------------------------------
_JOINED = re.compile(r"must match except in dimension|must match the size of tensor b", re.I)
_SMALL = re.compile(r"too small|can't be greater than", re.I)
_DOWN = ("conv", "max_pool", "avg_pool", "lp_pool")
# pad + crop is two lines but one edit, the usual fix of a size-bound UNet; it must outrank
# interpolating inside the network to hide the odd size
PAD_PRIOR = 8.5


def total_stride(trace, call, until: int) -> int:
    """The product of the strides of the downsampling ops the model ran before ``until``."""
    s = 1
    for ev in trace.events[call.start:min(until, call.end if call.end > call.start else until)]:
        if not ev.name.startswith(_DOWN) or ev.name.startswith("conv_transpose"):
            continue
        stride = ev.arg(3 if ev.name.startswith("conv") else 2, "stride")
        if stride is None and not ev.name.startswith("conv"):
            stride = ev.arg(1, "kernel_size")   # pooling: the stride defaults to the window
        if isinstance(stride, (list, tuple)) and stride:
            stride = stride[0]
        if isinstance(stride, int) and stride > 1:
            s *= stride
    return s


def _window(ev) -> int | None:
    k = ev.arg(1, "kernel_size")
    if isinstance(k, (list, tuple)) and k:
        k = max(k)
    return k if isinstance(k, int) else None


def accepted_size(ctx: Context, call, hw: tuple[int, ...]) -> tuple[int, ...] | None:
    """The nearest spatial size at or above ``hw`` the network takes: a multiple of its total
    stride when maps of two depths are joined, a map no smaller than the failing window."""
    ev = ctx.ev
    msg = ctx.crash.msg
    stride = total_stride(ctx.crash.trace, call, ev.index)
    if stride <= 1:
        return None
    if _SMALL.search(msg) and ev.name.startswith(("max_pool", "avg_pool")):
        k = _window(ev)
        if k is None:
            return None
        new = tuple(max(d, k * stride) for d in hw)
    elif _JOINED.search(msg):
        new = tuple(-(-d // stride) * stride for d in hw)
    else:
        return None
    return None if new == tuple(hw) else new


def input_size_at_producer(ctx: Context, site: Site):
    """The network cannot take the input's height/width: resize the input where it is made to
    the nearest size it takes (pad it and crop the output back when the script makes it)."""
    from .producers import model_call
    ev = ctx.ev
    if ev is None or site.meta is None or not site.meta.known or not (site.source in ("input", "producer")):
        return
    call = model_call(ctx.crash)
    if call is None or not call.inputs or len(call.inputs[0].shape) != 4 or not call.inputs[0].known:
        return
    x = tuple(call.inputs[0].shape)
    made = tuple(site.meta.shape)
    sample = made == x[1:]
    if not sample and made != x:
        return
    if not site.meta.dtype.startswith(("f", "bf")) or not _single_assignment(site):
        return
    hw = x[2:]
    new = accepted_size(ctx, call, hw)
    if new is None:
        return
    f = edits.imports_functional_as(site.file)
    size = f"({new[0]}, {new[1]})"
    why = (f"the network downsamples by {total_stride(ctx.crash.trace, call, ev.index)}: "
           f"{hw[0]}×{hw[1]} → {new[0]}×{new[1]}, the nearest size it takes")
    tmpl = f"{f}.interpolate({{}}[None], size={size}, mode='bilinear', align_corners=False)[0]"
    # resampling belongs where samples are loaded (every sample brought to one size); a batch
    # made whole is not resampled (a smaller window or a resize in the network are the answers
    # there), only padded to a multiple of the stride with the output cropped back
    joined = bool(_JOINED.search(ctx.crash.msg))
    fixes = edits.wrap_assigned_value(site.file, site.line, tmpl) if sample else None
    if fixes:
        yield Candidate(tuple(fixes), "input_size_at_producer", "data", site,
                        f"the {fmt_shape(made)} made here is not a size the network takes ({why}): resize it here",
                        5.5 - 0.1 * site.depth + (0.5 if sample else 0.0))
    if not sample and joined:
        pad = _pad_and_crop(ctx, site, call, f)
        if pad:
            yield Candidate(tuple(pad), "input_size_at_producer", "data", site,
                            f"pad the {fmt_shape(made)} made here to a multiple of what the network downsamples "
                            f"({why}) and crop its output back", PAD_PRIOR)


def _pad_and_crop(ctx: Context, site: Site, call, f: str):
    """``x = img`` → ``x = F.pad(img, …)``, and ``model(x)`` → ``model(x)[..., :H, :W]`` where
    the script calls the model, in terms of the unpadded tensor's name."""
    import libcst as cst
    src = edits.load(site.file)
    _, value = edits.assigned_value(src, site.line) if src else (None, None)
    if not isinstance(value, cst.Name) or call.where is None or call.where.file != site.file:
        return None
    name = value.value
    stride = total_stride(ctx.crash.trace, call, ctx.ev.index)
    pad = edits.wrap_assigned_value(site.file, site.line,
                                    f"{f}.pad({{}}, (0, -{name}.shape[-1] % {stride}, 0, -{name}.shape[-2] % {stride}))")
    from .sites import _names_of
    names = _names_of(ctx.crash, ctx.crash.watcher.module(call.path), call.where)
    if not pad or not names or call.where.line == site.line:
        return None
    crop = None
    for n in names:
        for c in edits.calls_at(src, call.where.line):
            if edits.func_name(c.node) in (n, f"self.{n}"):
                text = src.code(c.node).strip()
                crop = edits._splice(src, c.start, c.end, f"{text}[..., :{name}.shape[-2], :{name}.shape[-1]]")
                break
        if crop:
            break
    return (pad + crop) if crop else None


# -- a per-pixel prediction coarser than its label map ------------------------------------------
_FLATTENING = ("view", "reshape", "transpose", "permute", "contiguous", "flatten", "t")


def _unflattened(trace, meta, rank: int):
    """Walk back through view/transpose/… to the ``rank``-d tensor they flatten: (tensor, the
    event that first reshaped it)."""
    cur, first = meta, None
    for _ in range(12):
        ev = trace.events[cur.producer] if cur.producer is not None and cur.producer < len(trace.events) else None
        if ev is None or ev.name not in _FLATTENING or not ev.activations:
            break
        first, cur = ev, ev.activations[0]
    return (cur, first) if len(cur.shape) == rank and cur.known else (None, None)


def resize_before_flatten(ctx: Context, site: Site):
    """Per-pixel loss on ``[n·h·w, c]`` rows against ``[n·H·W]`` labels: the prediction map is
    coarser than the label map (a network that floors odd sizes): resize it to the label's
    size where it is flattened."""
    import libcst as cst
    ev = ctx.ev
    if site.kind != "call" or site.depth != 0 or ev is None or ev.name not in CLASS_LOSSES or len(ev.activations) < 2:
        return
    trace = ctx.crash.trace
    pred, first = _unflattened(trace, ev.activations[0], 4)
    label, _ = _unflattened(trace, ev.activations[1], 3)
    if pred is None or label is None or first is None or first.where is None:
        return
    (n, _, h, w), (nt, H, W) = pred.shape, label.shape
    if n != nt or (h, w) == (H, W):
        return
    src = edits.load(first.where.file)
    _, value = edits.assigned_value(src, first.where.line) if src else (None, None)
    base = value
    while isinstance(base, (cst.Call, cst.Attribute)):
        base = base.func if isinstance(base, cst.Call) else base.value
    if not isinstance(base, cst.Name):
        return
    pos = edits._find(src, base)
    if pos is None:
        return
    f = edits.imports_functional_as(first.where.file)
    size = _size_names(ctx, first.where, (H, W)) or f"({H}, {W})"
    fixes = edits._splice(src, pos.start, pos.end,
                          f"{f}.interpolate({base.value}, size={size}, mode='bilinear', align_corners=False)")
    if fixes:
        yield Candidate(tuple(fixes), "resize_before_flatten", "data", Site(
            "operand", first.where.file, first.where.line, f"flattens the {fmt_shape(pred.shape)} prediction per pixel",
            operand=0, event=first, meta=pred, depth=1, source="producer"),
            f"the prediction is {h}×{w} per image but the labels are {H}×{W} ({n}·{h}·{w} = {n * h * w} rows for "
            f"{nt}·{H}·{W} = {nt * H * W} labels): resize it to the label's size before it is flattened", 6.5)


def _size_names(ctx: Context, where, hw) -> str | None:
    """``(ht, wt)``: names the frame running ``where`` gives the label's height and width."""
    tb = ctx.crash.exc.__traceback__
    while tb is not None:
        fr = tb.tb_frame
        if fr.f_code.co_filename == where.file and fr.f_code.co_name == where.function:
            loc = fr.f_locals
            # the last name bound to the size: the label's, read after the prediction's own
            names = [next((k for k, v in reversed(list(loc.items())) if type(v) is int and v == d), None) for d in hw]
            if all(names) and names[0] != names[1]:
                return f"({names[0]}, {names[1]})"
        tb = tb.tb_next
    return None
