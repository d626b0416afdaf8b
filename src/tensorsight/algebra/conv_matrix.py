"""A convolution as its exact matrix.

``conv_matrix(conv, input_shape)`` returns ``(B, b)`` such that, for an input ``x`` of shape
``(C_in, *spatial)``::

    conv(x[None]).flatten() == B @ x.flatten() + b          (b is None when the conv has no bias)

for ``nn.Conv1d/2d/3d`` and ``nn.ConvTranspose1d/2d/3d`` with any stride, padding (ints, ``'same'``,
``'valid'``), padding mode (zeros, circular, reflect, replicate), dilation and groups, and for the
functional form (a weight tensor plus the keyword options of ``F.conv*d`` / ``F.conv_transpose*d``).

How it is built (no Python loop over positions or channels, time and memory O(nnz)):

1. A small *tap table* of shape ``(P_out, K)`` (output positions x kernel offsets) holds, for every
   output position and kernel offset, the flat input pixel that tap reads, or -1 where it reads
   nothing (zero padding; for transposed convs a stride gap). Padding modes are index maps:
   circular = modulo, reflect = reflection, replicate = clamp, zeros = drop.
2. Taps of one output position that land on the same input pixel (reflect/replicate/circular
   borders) are merged into one *slot*; their weights are summed later.
3. One output channel's row pattern (a *template* of length ``C_in/groups * slots``) is laid out
   in CSR order, once. Every output channel repeats it, shifted by its group's first input
   channel; the values are gathered from the weight with one ``index_select`` (or
   ``index_add_`` where taps merged). The CSR arrays are written directly at their final size,
   so the peak memory is the result's own bytes plus the (small) template.

A transposed convolution is the adjoint of the forward convolution with the same weight, so its
matrix is built the same way from a "gather" tap table: output position ``q`` reads input ``i``
through kernel offset ``j`` when ``q + padding - j*dilation == i*stride``.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch
from torch import nn

from ..errors import TensorsightError

__all__ = ["conv_matrix", "conv_to_linear", "SparseLinear", "ConvPlan", "plan_conv"]

_MODES = ("zeros", "circular", "reflect", "replicate")
_LAYOUTS = ("sparse", "csr", "coo", "dense")
_SPATIAL = {1: "(L)", 2: "(H, W)", 3: "(D, H, W)"}
_KIND_NAMES = {
    "conv1d": (False, 1), "conv2d": (False, 2), "conv3d": (False, 3),
    "conv_transpose1d": (True, 1), "conv_transpose2d": (True, 2), "conv_transpose3d": (True, 3),
}


# ----------------------------------------------------------------------------------------------
# the plan: every option of the conv resolved against one input shape
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConvPlan:
    """A convolution's options resolved for one input shape (plain data, no tensors but weight)."""
    name: str                       # "Conv2d", "ConvTranspose1d", "conv2d" ...
    transposed: bool
    in_channels: int                # channels of x
    out_channels: int               # channels of conv(x)
    groups: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]   # (before, after) per spatial dim
    padding_mode: str
    output_padding: tuple[int, ...]
    in_spatial: tuple[int, ...]
    out_spatial: tuple[int, ...]
    weight: torch.Tensor
    bias: torch.Tensor | None

    @property
    def nd(self) -> int:
        return len(self.kernel_size)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.in_channels, *self.in_spatial)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.out_channels, *self.out_spatial)

    @property
    def matrix_shape(self) -> tuple[int, int]:
        return (math.prod(self.output_shape), math.prod(self.input_shape))

    def describe(self) -> str:
        ks = "x".join(map(str, self.kernel_size))
        return (f"{self.name}({self.in_channels}->{self.out_channels}, kernel {ks}, "
                f"stride {self.stride}, padding {self.padding}, dilation {self.dilation}, "
                f"groups {self.groups}, padding_mode {self.padding_mode!r})")


def _tuple(value, nd: int, what: str, name: str) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * nd
    try:
        out = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise TensorsightError(f"{name}: {what}={value!r} is not an int or a tuple of {nd} ints") from None
    if len(out) == 1:
        out = out * nd
    if len(out) != nd:
        raise TensorsightError(f"{name}: {what}={value!r} has {len(out)} entries; a {nd}d conv needs {nd}")
    return out


def _padding_pairs(padding, kernel, dilation, stride, nd, name, transposed):
    if isinstance(padding, str):
        if transposed:
            raise TensorsightError(f"{name}: padding={padding!r} is not supported for transposed "
                                   f"convolutions (PyTorch neither); give the padding as ints")
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise TensorsightError(f"{name}: padding='same' needs stride 1 (got stride {stride}), "
                                       f"as in PyTorch; give the padding as ints")
            pairs = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pairs.append((total // 2, total - total // 2))
            return tuple(pairs)
        raise TensorsightError(f"{name}: padding={padding!r} is not 'same', 'valid' or ints")
    pads = _tuple(padding, nd, "padding", name)
    if any(p < 0 for p in pads):
        raise TensorsightError(f"{name}: padding={padding!r} is negative")
    return tuple((p, p) for p in pads)


def _options_from_module(conv) -> dict:
    from torch.nn.modules.conv import _ConvNd
    if not isinstance(conv, _ConvNd):
        raise TensorsightError(
            f"conv_matrix takes an nn.Conv1d/2d/3d or nn.ConvTranspose1d/2d/3d module, or conv=None "
            f"with weight=...; got {type(conv).__name__}")
    if isinstance(conv.weight, nn.parameter.UninitializedParameter):
        raise TensorsightError(f"{type(conv).__name__} is a lazy module whose weight is not "
                               f"initialized yet; run one forward pass first")
    return dict(name=type(conv).__name__, transposed=bool(conv.transposed), weight=conv.weight,
                bias=conv.bias, stride=conv.stride, padding=conv.padding, dilation=conv.dilation,
                groups=conv.groups, padding_mode=conv.padding_mode,
                output_padding=conv.output_padding)


def plan_conv(conv, input_shape, *, weight=None, bias=None, stride=1, padding=0, dilation=1,
              groups=1, padding_mode="zeros", transposed=None, output_padding=0) -> ConvPlan:
    """Resolve a conv module (or the functional form) against ``input_shape``; see conv_matrix."""
    if conv is not None and not isinstance(conv, str):
        if weight is not None or bias is not None:
            raise TensorsightError("give either a conv module or weight=... (the functional form), "
                                   "not both")
        opts = _options_from_module(conv)
    else:
        if weight is None:
            raise TensorsightError("conv_matrix needs a conv module, or conv=None (or a name such as "
                                   "'conv2d') with weight=<tensor>")
        if not isinstance(weight, torch.Tensor) or weight.dim() not in (3, 4, 5):
            raise TensorsightError(
                f"weight must be a 3-, 4- or 5-dim tensor (out, in/groups, *kernel) for conv1d/2d/3d; "
                f"got {tuple(weight.shape) if isinstance(weight, torch.Tensor) else type(weight).__name__}")
        nd_w = weight.dim() - 2
        if isinstance(conv, str):
            key = conv.strip().lower().replace("torch.nn.functional.", "").replace("f.", "", 1)
            if key not in _KIND_NAMES:
                raise TensorsightError(f"unknown conv kind {conv!r}; use one of {', '.join(_KIND_NAMES)}")
            t, nd_k = _KIND_NAMES[key]
            if transposed is not None and bool(transposed) != t:
                raise TensorsightError(f"conv kind {conv!r} contradicts transposed={transposed}")
            if nd_k != nd_w:
                raise TensorsightError(f"{conv} needs a {nd_k + 2}-dim weight; got {weight.dim()} dims "
                                       f"{tuple(weight.shape)}")
            transposed = t
            name = key
        else:
            transposed = bool(transposed)
            name = f"conv_transpose{nd_w}d" if transposed else f"conv{nd_w}d"
        opts = dict(name=name, transposed=transposed, weight=weight, bias=bias, stride=stride,
                    padding=padding, dilation=dilation, groups=groups, padding_mode=padding_mode,
                    output_padding=output_padding)
    return _resolve(opts, input_shape)


def _shape_tuple(input_shape, name) -> tuple[int, ...]:
    if isinstance(input_shape, str):
        from ..shapes import parse_shape
        input_shape = parse_shape(input_shape).dims
    if isinstance(input_shape, torch.Tensor):
        raise TensorsightError(f"{name}: input_shape must be a shape such as (3, 32, 32), not a tensor; "
                               f"pass x.shape")
    try:
        dims = tuple(input_shape)
    except TypeError:
        raise TensorsightError(f"{name}: input_shape {input_shape!r} is not a shape; "
                               f"give a tuple such as (3, 32, 32)") from None
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        raise TensorsightError(f"{name}: input_shape {input_shape!r} must hold integer sizes")
    return dims


def _resolve(o: dict, input_shape) -> ConvPlan:
    name, transposed, weight, bias = o["name"], o["transposed"], o["weight"], o["bias"]
    nd = weight.dim() - 2
    kernel = tuple(weight.shape[2:])
    groups = int(o["groups"])
    if groups < 1:
        raise TensorsightError(f"{name}: groups={groups} must be at least 1")
    if transposed:      # weight (C_in, C_out/groups, *k)
        in_channels, out_channels = weight.shape[0], weight.shape[1] * groups
        if in_channels % groups:
            raise TensorsightError(f"{name}: weight {tuple(weight.shape)} has {in_channels} input "
                                   f"channels, not divisible by groups={groups}")
    else:               # weight (C_out, C_in/groups, *k)
        in_channels, out_channels = weight.shape[1] * groups, weight.shape[0]
        if out_channels % groups:
            raise TensorsightError(f"{name}: weight {tuple(weight.shape)} has {out_channels} output "
                                   f"channels, not divisible by groups={groups}")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise TensorsightError(f"{name}: bias of shape {tuple(bias.shape)} does not match "
                               f"{out_channels} output channels")
    stride = _tuple(o["stride"], nd, "stride", name)
    dilation = _tuple(o["dilation"], nd, "dilation", name)
    if any(s < 1 for s in stride) or any(d < 1 for d in dilation):
        raise TensorsightError(f"{name}: stride {stride} and dilation {dilation} must be positive")
    mode = o["padding_mode"]
    if mode not in _MODES:
        raise TensorsightError(f"{name}: padding_mode={mode!r} is not one of {', '.join(_MODES)}")
    if transposed and mode != "zeros":
        raise TensorsightError(f"{name}: transposed convolutions only support padding_mode='zeros' "
                               f"(as in PyTorch); got {mode!r}")
    padding = _padding_pairs(o["padding"], kernel, dilation, stride, nd, name, transposed)
    output_padding = _tuple(o["output_padding"], nd, "output_padding", name) if transposed else (0,) * nd
    if transposed and any(op < 0 or (op >= s and op >= d)
                          for op, s, d in zip(output_padding, stride, dilation)):
        raise TensorsightError(f"{name}: output_padding {output_padding} must be smaller than "
                               f"stride {stride} or dilation {dilation}")

    # the input shape: (C, *spatial) or (N, C, *spatial)
    dims = _shape_tuple(input_shape, name)
    expect = f"(C, {_SPATIAL[nd][1:-1]}) or (N, C, {_SPATIAL[nd][1:-1]})"
    if len(dims) == nd + 2:
        dims = dims[1:]
    elif len(dims) != nd + 1:
        raise TensorsightError(f"{name} takes a {nd + 1}-dim input {expect}; input_shape "
                               f"{tuple(_shape_tuple(input_shape, name))} has {len(dims)} dims")
    c, spatial = dims[0], tuple(dims[1:])
    if c != in_channels:
        raise TensorsightError(f"{name} expects {in_channels} input channels but input_shape "
                               f"{tuple(dims)} has {c}; give input_shape as {expect} with "
                               f"C = {in_channels}")
    if any(n < 1 for n in spatial):
        raise TensorsightError(f"{name}: input_shape {tuple(dims)} has an empty spatial size; "
                               f"every spatial size must be at least 1")
    for n, (pb, pa), ax in zip(spatial, padding, range(nd)):
        if mode == "reflect" and max(pb, pa) >= n:
            raise TensorsightError(f"{name}: reflect padding {max(pb, pa)} must be smaller than the "
                                   f"input size {n} of spatial dim {ax} (input_shape {tuple(dims)})")
        if mode == "circular" and max(pb, pa) > n:
            raise TensorsightError(f"{name}: circular padding {max(pb, pa)} wraps around more than "
                                   f"once the input size {n} of spatial dim {ax} "
                                   f"(input_shape {tuple(dims)})")
    if transposed:
        out = tuple((n - 1) * s - pb - pa + d * (k - 1) + op + 1
                    for n, s, (pb, pa), d, k, op in zip(spatial, stride, padding, dilation, kernel,
                                                        output_padding))
        if any(x < 1 for x in out):
            raise TensorsightError(f"{name}: input_shape {tuple(dims)} is too small: with padding "
                                   f"{tuple(p for p, _ in padding)} the output would have spatial "
                                   f"size {out}")
    else:
        reach = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
        padded = tuple(n + pb + pa for n, (pb, pa) in zip(spatial, padding))
        if any(p < r for p, r in zip(padded, reach)):
            raise TensorsightError(
                f"{name}: input_shape {tuple(dims)} is too small: the padded spatial size "
                f"{'x'.join(map(str, padded))} is smaller than the kernel's reach "
                f"{'x'.join(map(str, reach))} (kernel {kernel}, dilation {dilation}); expected "
                f"spatial sizes of at least "
                f"{'x'.join(str(r - pb - pa) for r, (pb, pa) in zip(reach, padding))}")
        out = tuple((p - r) // s + 1 for p, r, s in zip(padded, reach, stride))
    return ConvPlan(name=name, transposed=transposed, in_channels=in_channels,
                    out_channels=out_channels, groups=groups, kernel_size=kernel, stride=stride,
                    dilation=dilation, padding=padding, padding_mode=mode,
                    output_padding=output_padding, in_spatial=spatial, out_spatial=out,
                    weight=weight, bias=bias)


# ----------------------------------------------------------------------------------------------
# the tap table: which input pixel each (output position, kernel offset) reads
# ----------------------------------------------------------------------------------------------

def axis_taps(plan: ConvPlan, axis: int) -> tuple[torch.Tensor, torch.Tensor]:
    """For one spatial axis: ``(coord, src)``, both ``(out_size, k)`` int64.

    ``coord`` is the coordinate the tap addresses in the unpadded input frame (outside
    ``[0, n)`` means padding; for transposed convs it is ``(q + p - j*d) / stride`` rounded down).
    ``src`` is the input index actually read after the padding mode's index map, or -1 when the
    tap reads nothing (zero padding, or a transposed conv's stride gap).
    """
    n, k = plan.in_spatial[axis], plan.kernel_size[axis]
    s, d = plan.stride[axis], plan.dilation[axis]
    pb = plan.padding[axis][0]
    out = plan.out_spatial[axis]
    if plan.transposed:   # num = q + p - j*d
        num = torch.arange(out).unsqueeze(1) + torch.arange(pb, pb - k * d, -d).unsqueeze(0)
        coord = torch.div(num, s, rounding_mode="floor")
        ok = (num % s == 0) & (coord >= 0) & (coord < n)
        return coord, torch.where(ok, coord, -1)
    # coord = o*s + j*d - p
    coord = torch.arange(0, out * s, s).unsqueeze(1) + torch.arange(-pb, k * d - pb, d).unsqueeze(0)
    mode = plan.padding_mode
    if mode == "zeros":
        src = torch.where((coord >= 0) & (coord < n), coord, -1)
    elif mode == "circular":
        src = coord % n
    elif mode == "replicate":
        src = coord.clamp(0, n - 1)
    else:  # reflect (padding < n, so one reflection suffices)
        r = coord.abs()
        src = torch.where(r >= n, 2 * (n - 1) - r, r)
    return coord, src


def tap_table(plan: ConvPlan) -> torch.Tensor:
    """``(P_out, K)`` int64: the flat input pixel each output position reads through each kernel
    offset (row-major over spatial dims and over kernel offsets), -1 where it reads nothing."""
    nd = plan.nd
    void = -math.prod(plan.in_spatial)          # any void axis makes the flat sum negative
    table = None
    in_stride = 1
    for ax in reversed(range(nd)):
        _, src = axis_taps(plan, ax)
        src = torch.where(src >= 0, src * in_stride if in_stride > 1 else src, void)
        shape = [1] * (2 * nd)
        shape[ax], shape[nd + ax] = src.shape
        src = src.view(shape)
        table = src if table is None else table + src
        in_stride *= plan.in_spatial[ax]
    return table.reshape(math.prod(plan.out_spatial), math.prod(plan.kernel_size)).clamp(min=-1)


# ----------------------------------------------------------------------------------------------
# the matrix
# ----------------------------------------------------------------------------------------------

def _effective_weight(plan: ConvPlan) -> torch.Tensor:
    """``(C_out, C_in/groups * K)``: row ``oc`` holds the weights output channel ``oc`` applies to
    the input channels of its group (channel-major, then kernel offset)."""
    w = plan.weight.detach()
    g, k = plan.groups, math.prod(plan.kernel_size)
    if plan.transposed:  # (C_in, C_out/g, *k) -> (g, C_in/g, C_out/g, K) -> (C_out, C_in/g, K)
        cin_g, cout_g = plan.in_channels // g, plan.out_channels // g
        w = w.reshape(g, cin_g, cout_g, k).permute(0, 2, 1, 3)
        return w.reshape(plan.out_channels, cin_g * k)
    return w.reshape(plan.out_channels, -1)


def _csr_arrays(plan: ConvPlan, index_dtype: torch.dtype):
    """crow (R+1), col (nnz), values (nnz) of the matrix in CSR order.

    Within a row (output channel oc, output position o) the entries are ordered by input
    channel, then input pixel: one output channel's row runs form a *template* (the same for
    every output channel up to a shift of the column by the group's first input channel).
    """
    device = plan.weight.device
    c_out, g = plan.out_channels, plan.groups
    cin_g, cout_g = plan.in_channels // g, c_out // g
    p_in, p_out = math.prod(plan.in_spatial), math.prod(plan.out_spatial)
    k = math.prod(plan.kernel_size)

    table = tap_table(plan)                                   # (P_out, K), -1 reads nothing
    j = torch.arange(k).expand(p_out, k)
    if plan.transposed or plan.padding_mode != "zeros":       # zeros forward rows are sorted already
        table, j = table.sort(dim=1)
    valid = table >= 0
    merged = bool((valid[:, 1:] & (table[:, 1:] == table[:, :-1])).any())
    ch = torch.arange(cin_g).view(1, cin_g, 1)
    w2 = _effective_weight(plan)
    if not merged:
        # template = the (P_out, cin_g, K) grid of (position, channel, tap) with the void taps
        # removed (index_select with the kept positions: much faster than masked_select)
        cnt = valid.sum(1)
        tcol = (ch * p_in + table.unsqueeze(1)).reshape(-1)
        wsrc = (ch * k + j.unsqueeze(1)).reshape(-1)
        if int(cnt.sum()) < p_out * k:
            keep = valid.unsqueeze(1).expand(p_out, cin_g, k).reshape(-1).nonzero().squeeze(1)
            tcol, wsrc = tcol.index_select(0, keep), wsrc.index_select(0, keep)
            del keep
        tcol = tcol.to(index_dtype)
        values = w2.index_select(1, wsrc.to(device))
        del wsrc
    else:
        tcol, values, cnt = _merged_template(table, valid, j, w2, cin_g, p_in, p_out, k,
                                             index_dtype)
    del table, valid, j

    # every output channel repeats the template, shifted to its group's first input channel
    # (expand + copy, then an in-place add: much faster than a two-sided broadcast add)
    col = tcol.to(device).expand(c_out, -1).contiguous()
    if g > 1:
        gbase = (torch.arange(c_out, device=device, dtype=index_dtype) // cout_g) * (cin_g * p_in)
        col.add_(gbase.unsqueeze(1))
    col = col.reshape(-1)
    crow = torch.zeros(c_out * p_out + 1, dtype=index_dtype, device=device)
    crow[1:] = torch.cumsum((cnt * cin_g).to(device=device, dtype=index_dtype).repeat(c_out), 0,
                            dtype=index_dtype)
    return crow, col, values.reshape(-1)


def _merged_template(table, valid, j, w2, cin_g, p_in, p_out, k, index_dtype):
    """The template when several taps of one output position read the same input pixel
    (reflect/replicate/circular borders): one entry per distinct pixel, weights summed."""
    device = w2.device
    taps = valid.reshape(-1).nonzero().squeeze(1)
    tap_o, tap_j = taps // k, j.reshape(-1)[taps]
    key = tap_o * p_in + table.reshape(-1)[taps]              # sorted (rows are sorted)
    uniq, inv = torch.unique_consecutive(key, return_inverse=True)
    n_slots = uniq.numel()
    u_o, u_src = uniq // p_in, uniq % p_in
    cnt = torch.bincount(u_o, minlength=p_out)               # distinct pixels per position
    start = torch.cumsum(cnt, 0) - cnt
    rank = torch.arange(n_slots) - start[u_o]
    ch = torch.arange(cin_g).unsqueeze(1)
    # position of (channel c, slot) in the template: order (position, channel, pixel)
    tpos = (cin_g * start[u_o] + rank).unsqueeze(0) + ch * cnt[u_o].unsqueeze(0)   # (cin_g, U)
    length = cin_g * n_slots
    tcol = torch.empty(length, dtype=index_dtype)
    tcol.index_copy_(0, tpos.reshape(-1), (ch * p_in + u_src.unsqueeze(0)).reshape(-1).to(index_dtype))
    values = w2.new_zeros((w2.shape[0], length))
    wcol = (ch * k + tap_j.unsqueeze(0)).reshape(-1)
    values.index_add_(1, tpos[:, inv].reshape(-1).to(device), w2.index_select(1, wcol.to(device)))
    return tcol, values, cnt


def conv_matrix(conv, input_shape, layout: str = "sparse", *, weight=None, bias=None, stride=1,
                padding=0, dilation=1, groups=1, padding_mode: str = "zeros", transposed=None,
                output_padding=0, index_dtype: torch.dtype = torch.int64):
    """The exact matrix of a convolution: ``(B, b)`` with ``conv(x).flatten() == B @ x.flatten() + b``.

    Args:
        conv: an ``nn.Conv1d/2d/3d`` or ``nn.ConvTranspose1d/2d/3d`` module; or, for the functional
            form, ``None`` or the name of the functional (``"conv2d"``, ``"conv_transpose3d"`` ...)
            together with ``weight=`` and the keyword options below, which mean what they mean
            for ``F.conv*d`` / ``F.conv_transpose*d`` (``transposed=True`` picks the transposed
            form when ``conv`` is None). ``padding_mode`` follows ``nn.Conv*d``: the input is
            padded with ``F.pad(mode=...)`` first. With a module, its own options are used and
            the keyword options must be left at their defaults.
        input_shape: ``(C, *spatial)`` or ``(N, C, *spatial)`` (N is ignored), or a string such
            as ``"3x32x32"``.
        layout: ``"sparse"`` (= ``"csr"``, a ``torch.sparse_csr_tensor``), ``"coo"`` (a coalesced
            ``torch.sparse_coo_tensor``) or ``"dense"`` (a strided tensor; this one does allocate
            rows x cols).
        index_dtype: ``torch.int64`` (default) or ``torch.int32`` for the sparse indices (halves
            their memory; torch's CSR matmul accepts both).

    Returns:
        ``(B, b)``. ``B`` has shape ``(C_out * prod(out_spatial), C_in * prod(in_spatial))``, rows
        and columns in the row-major order of ``.flatten()`` on ``(C, *spatial)`` tensors, on the
        weight's device and dtype, detached from autograd. ``b`` is the bias repeated over the
        output positions (length ``B.shape[0]``), or None. Entries are structural: a kernel
        weight that happens to be 0 is still stored; taps that a padding mode maps onto the same
        input pixel are summed into one entry.

    Raises:
        TensorsightError: input_shape does not fit the conv (wrong number of dims, channels,
            spatial size too small for the kernel or the padding mode), or the options are
            inconsistent.

    The sparse layouts never allocate a rows x cols array: time and memory are O(nnz).
    """
    if layout not in _LAYOUTS:
        raise TensorsightError(f"layout={layout!r} is not one of {', '.join(map(repr, _LAYOUTS))}")
    if index_dtype not in (torch.int64, torch.int32):
        raise TensorsightError(f"index_dtype must be torch.int64 or torch.int32, not {index_dtype}")
    if conv is not None and not isinstance(conv, str):
        defaults = dict(stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros",
                        transposed=None, output_padding=0)
        given = dict(stride=stride, padding=padding, dilation=dilation, groups=groups,
                     padding_mode=padding_mode, transposed=transposed, output_padding=output_padding)
        extra = [key for key in given if given[key] != defaults[key]]
        if extra:
            raise TensorsightError(f"with a module, conv_matrix uses the module's own options; "
                                   f"drop {', '.join(extra)} (or pass conv=None and weight=...)")
    plan = plan_conv(conv, input_shape, weight=weight, bias=bias, stride=stride, padding=padding,
                     dilation=dilation, groups=groups, padding_mode=padding_mode,
                     transposed=transposed, output_padding=output_padding)
    return matrix_from_plan(plan, layout, index_dtype=index_dtype)


def matrix_from_plan(plan: ConvPlan, layout: str = "sparse", *, index_dtype=torch.int64):
    """conv_matrix for an already resolved :class:`ConvPlan`."""
    rows, cols = plan.matrix_shape
    if layout == "coo" and index_dtype != torch.int64:
        raise TensorsightError("torch's COO tensors need int64 indices; use layout='sparse' (CSR) "
                               "for index_dtype=torch.int32")
    if index_dtype == torch.int32 and max(rows, cols, plan_nnz_bound(plan)) >= 2 ** 31:
        raise TensorsightError(f"the matrix ({rows} x {cols}) is too large for int32 indices; "
                               f"use index_dtype=torch.int64")
    check_memory(plan, layout, index_dtype)
    with torch.no_grad():
        crow, col, values = _csr_arrays(plan, index_dtype)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Ss]parse CSR tensor support is in beta.*")
            if layout in ("sparse", "csr"):
                B = torch.sparse_csr_tensor(crow, col, values, size=(rows, cols),
                                            check_invariants=False)
            elif layout == "coo":
                row = torch.repeat_interleave(
                    torch.arange(rows, device=crow.device, dtype=crow.dtype), crow.diff(),
                    output_size=col.numel())
                B = torch.sparse_coo_tensor(torch.stack([row, col]), values, size=(rows, cols),
                                            is_coalesced=True, check_invariants=False)
            else:
                B = torch.sparse_csr_tensor(crow, col, values, size=(rows, cols),
                                            check_invariants=False).to_dense()
        b = None
        if plan.bias is not None:
            b = plan.bias.detach().repeat_interleave(math.prod(plan.out_spatial))
    return B, b


# the build's peak over its result, measured up to 1.63x (README's table); with room to spare
_BUILD_PEAK = 2


def matrix_bytes(plan: ConvPlan, layout: str = "sparse", index_dtype=torch.int64) -> int:
    """Bytes of the matrix ``layout`` would hold (the sparse ones at their nnz upper bound)."""
    rows, cols = plan.matrix_shape
    value = plan.weight.element_size() if plan.weight is not None else 4
    if layout == "dense":
        return rows * cols * value
    index = 8 if layout == "coo" else torch.empty((), dtype=index_dtype).element_size()
    nnz = plan_nnz_bound(plan)
    return nnz * (value + index * (2 if layout == "coo" else 1)) + (rows + 1) * index


def check_memory(plan: ConvPlan, layout: str = "sparse", index_dtype=torch.int64) -> None:
    """One sentence with the number, before allocating, when the build would pass the limit."""
    from ..limits import fmt_bytes, max_bytes
    need = matrix_bytes(plan, layout, index_dtype) * _BUILD_PEAK
    if need > max_bytes():
        rows, cols = plan.matrix_shape
        raise TensorsightError(f"the {layout} {rows:,} x {cols:,} matrix ({plan_nnz_bound(plan):,} entries at "
                               f"most) would need about {fmt_bytes(need)} to build; the limit is "
                               f"{fmt_bytes(max_bytes())} (set TENSORSIGHT_MAX_BYTES to raise it, docs/limits.md)")


def plan_nnz_bound(plan: ConvPlan) -> int:
    """An upper bound on nnz: every (output element, input channel of its group, kernel offset)."""
    return (plan.out_channels * math.prod(plan.out_spatial) * (plan.in_channels // plan.groups)
            * math.prod(plan.kernel_size))


# ----------------------------------------------------------------------------------------------
# as a module
# ----------------------------------------------------------------------------------------------

class SparseLinear(nn.Module):
    """``y = x @ B.T + b`` with a sparse ``B`` (CSR or COO): a conv as a fully-connected layer.

    Inputs are *flattened*: ``x`` has shape ``(..., in_features)`` with
    ``in_features = C_in * prod(in_spatial)`` (``x.flatten(1)`` of a ``(N, C, *spatial)`` batch);
    the output has shape ``(..., out_features)``; ``output.view(-1, *self.output_shape)`` gives
    the conv's output. ``matrix`` and ``bias`` are buffers (they move with ``.to()`` and are
    saved in the state dict) and are not trained.
    """

    def __init__(self, matrix: torch.Tensor, bias: torch.Tensor | None = None,
                 input_shape: tuple[int, ...] | None = None,
                 output_shape: tuple[int, ...] | None = None):
        super().__init__()
        self.out_features, self.in_features = matrix.shape
        self.input_shape = tuple(input_shape) if input_shape else (self.in_features,)
        self.output_shape = tuple(output_shape) if output_shape else (self.out_features,)
        self.register_buffer("matrix", matrix)
        self.register_buffer("bias", bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.in_features:
            raise TensorsightError(
                f"SparseLinear expects flattened inputs with last dim {self.in_features} "
                f"(= {' * '.join(map(str, self.input_shape))}); got shape {tuple(x.shape)}; "
                f"flatten the batch with x.flatten(1)")
        lead = x.shape[:-1]
        flat = x.reshape(-1, self.in_features)
        y = (self.matrix @ flat.T).T
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*lead, self.out_features)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # a sparse buffer can only be copied into one with the same nnz: adopt the saved tensors
        for name in ("matrix", "bias"):
            value = state_dict.get(prefix + name)
            if value is not None:
                current = getattr(self, name)
                device = current.device if current is not None else value.device
                setattr(self, name, value.to(device))
        self.out_features, self.in_features = self.matrix.shape
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def extra_repr(self) -> str:
        nnz = self.matrix._nnz() if self.matrix.layout != torch.strided else self.matrix.numel()
        return (f"in_features={self.in_features}, out_features={self.out_features}, nnz={nnz}, "
                f"layout={self.matrix.layout}, bias={self.bias is not None}")


def conv_to_linear(conv, input_shape, layout: str = "sparse", **options) -> nn.Module:
    """A module that gives the conv's outputs from *flattened* inputs, batch included.

    ``conv_to_linear(conv, (C, H, W))(x.flatten(1)) == conv(x).flatten(1)`` for ``x`` of shape
    ``(N, C, H, W)`` (likewise for 1d/3d and transposed convs). ``layout="dense"`` returns an
    ``nn.Linear`` whose weight is the dense matrix (its parameters are trainable, as in any
    nn.Linear); ``"sparse"``/``"csr"``/``"coo"`` return a :class:`SparseLinear`. Other keyword
    options are those of :func:`conv_matrix` (the functional form, ``index_dtype``). The result
    has ``input_shape`` and ``output_shape`` attributes (without the batch dim).
    """
    plan_opts = {k: v for k, v in options.items() if k != "index_dtype"}
    if conv is not None and not isinstance(conv, str) and plan_opts:
        raise TensorsightError(f"with a module, conv_to_linear uses the module's own options; "
                               f"drop {', '.join(plan_opts)}")
    if layout not in _LAYOUTS:
        raise TensorsightError(f"layout={layout!r} is not one of {', '.join(map(repr, _LAYOUTS))}")
    plan = plan_conv(conv, input_shape, **plan_opts)
    B, b = matrix_from_plan(plan, layout, index_dtype=options.get("index_dtype", torch.int64))
    if layout == "dense":
        rows, cols = B.shape
        lin = nn.Linear(cols, rows, bias=b is not None, device="meta")
        lin.weight = nn.Parameter(B)
        if b is not None:
            lin.bias = nn.Parameter(b.clone())
        lin.input_shape, lin.output_shape = plan.input_shape, plan.output_shape
        return lin
    return SparseLinear(B, b, plan.input_shape, plan.output_shape)
