"""The im2col (unfold) view of a convolution's input, explained.

A convolution reads, for every output position, a patch of the (padded) input: im2col lays each
patch out as one column of a ``[C * prod(kernel), L]`` matrix (``L`` = number of output
positions), after which the convolution is one matrix product with the ``[C_out, C * prod(kernel)]``
weight. ``explain_im2col`` says which input pixels a few output positions read, padding marked:

    >>> print(explain_im2col(nn.Conv2d(3, 8, 3, padding=1), (3, 5, 5), position=(0, 0)))

The result is plain data (:class:`Im2colExplanation`); ``str()`` renders it, and its
``unfold(x)`` method computes the view itself for any number of spatial dims and any padding
mode (``F.unfold`` only does 2d zero padding).
"""
from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import torch

from ..errors import TensorsightError
from .conv_matrix import ConvPlan, axis_taps, plan_conv, tap_table

__all__ = ["explain_im2col", "Im2colExplanation", "PositionReads", "TapRead"]


@dataclass(frozen=True)
class TapRead:
    """What one kernel offset reads for one output position."""
    kernel_offset: tuple[int, ...]
    coord: tuple[int, ...]            # addressed coordinate in the unpadded input (may lie outside)
    source: tuple[int, ...] | None    # input pixel actually read; None: reads zero
    kind: str                         # "input", "zeros", "circular", "reflect", "replicate", "gap"


@dataclass(frozen=True)
class PositionReads:
    """The column of the unfold view that belongs to one output position."""
    position: tuple[int, ...]
    column: int
    taps: tuple[TapRead, ...]

    @property
    def padding_taps(self) -> int:
        return sum(t.kind != "input" for t in self.taps)


@dataclass(frozen=True)
class Im2colExplanation:
    layer: str
    transposed: bool
    in_channels: int
    in_spatial: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    padding_mode: str
    output_padding: tuple[int, ...]
    out_spatial: tuple[int, ...]
    unfold_shape: tuple[int, int]     # (C * prod(kernel), L)
    positions: tuple[PositionReads, ...]

    def _plan(self) -> ConvPlan:
        weight = torch.empty((1, self.in_channels, *self.kernel_size), device="meta")
        return ConvPlan(name=self.layer, transposed=self.transposed, in_channels=self.in_channels,
                        out_channels=1, groups=1, kernel_size=self.kernel_size, stride=self.stride,
                        dilation=self.dilation, padding=self.padding, padding_mode=self.padding_mode,
                        output_padding=self.output_padding, in_spatial=self.in_spatial,
                        out_spatial=self.out_spatial, weight=weight, bias=None)

    def unfold(self, x: torch.Tensor) -> torch.Tensor:
        """The im2col view of ``x`` (``(N, C, *spatial)`` or ``(C, *spatial)``): ``(N, C*K, L)``.

        Equals ``F.unfold`` for 2d zero padding; other padding modes read the pixels the mode
        maps to. For a transposed conv it is the gather view: entry ``(c*K + j, q)`` is the input
        pixel that output position ``q`` receives through kernel offset ``j`` (0 where none).
        """
        unbatched = x.dim() == len(self.in_spatial) + 1
        if unbatched:
            x = x.unsqueeze(0)
        if tuple(x.shape[1:]) != (self.in_channels, *self.in_spatial):
            raise TensorsightError(f"unfold expects an input of shape (N, {self.in_channels}, "
                                   f"{', '.join(map(str, self.in_spatial))}); got {tuple(x.shape)}")
        n, c, p_in = x.shape[0], self.in_channels, math.prod(self.in_spatial)
        table = tap_table(self._plan()).to(x.device)             # (L, K), -1 reads zero
        flat = torch.cat([x.reshape(n, c, p_in), x.new_zeros(n, c, 1)], dim=2)
        idx = torch.where(table >= 0, table, p_in).T              # (K, L)
        cols = flat[:, :, idx].reshape(n, c * idx.shape[0], idx.shape[1])
        return cols[0] if unbatched else cols

    def __str__(self) -> str:
        return render_im2col(self)


def _positions_arg(position, out_spatial) -> list[tuple[int, ...]]:
    nd = len(out_spatial)
    if position is None:
        cands = [tuple(0 for _ in out_spatial), tuple(o // 2 for o in out_spatial),
                 tuple(o - 1 for o in out_spatial)]
        seen: list[tuple[int, ...]] = []
        for p in cands:
            if p not in seen:
                seen.append(p)
        return seen
    items = position if isinstance(position, list) else [position]
    out = []
    L = math.prod(out_spatial)
    for p in items:
        if isinstance(p, int) and not isinstance(p, bool):
            if not 0 <= p < L:
                raise TensorsightError(f"column {p} is outside the {L} output positions (0..{L - 1})")
            coords = []
            for size in reversed(out_spatial):
                coords.append(p % size)
                p //= size
            out.append(tuple(reversed(coords)))
            continue
        p = tuple(p)
        if len(p) != nd or not all(isinstance(v, int) and 0 <= v < o for v, o in zip(p, out_spatial)):
            raise TensorsightError(f"position {p!r} is not an output position of spatial size "
                                   f"{out_spatial}; give {nd} coordinates or a column index")
        out.append(p)
    return out


def explain_im2col(conv, input_shape, position=None, *, stride=1, padding=0, dilation=1,
                   padding_mode: str = "zeros") -> Im2colExplanation:
    """Which input pixels each output position reads, as the im2col/unfold view lays them out.

    Args:
        conv: a ``nn.Conv1d/2d/3d`` (or ``ConvTranspose*d``) module, or a kernel size (an int or
            a tuple) together with the keyword options ``stride``, ``padding`` (ints, 'same',
            'valid'), ``dilation``, ``padding_mode``. With an int kernel size the number of
            spatial dims is taken from ``input_shape``, which must then be ``(C, *spatial)``.
        input_shape: ``(C, *spatial)`` or ``(N, C, *spatial)``.
        position: None (the first, middle and last output positions), an output coordinate
            tuple, a column index ``l`` of the unfold view, or a list of those.

    Returns an :class:`Im2colExplanation` (plain data; ``print()`` it for the account).
    """
    if isinstance(conv, (int, tuple, list)) and not isinstance(conv, bool):
        kernel = (conv,) if isinstance(conv, int) else tuple(conv)
        dims = tuple(input_shape) if not isinstance(input_shape, str) else None
        if dims is None:
            from ..shapes import parse_shape
            dims = parse_shape(input_shape).dims
        nd = len(dims) - 1 if isinstance(conv, int) else len(kernel)
        if nd not in (1, 2, 3):
            raise TensorsightError(f"explain_im2col: input_shape {dims} gives {nd} spatial dims; "
                                   f"1, 2 or 3 are supported")
        if isinstance(conv, int):
            kernel = kernel * nd
        if len(dims) not in (nd + 1, nd + 2) or not all(isinstance(k, int) and k > 0 for k in kernel):
            raise TensorsightError(f"explain_im2col: kernel size {conv!r} and input_shape {dims} do "
                                   f"not fit: give (C, *spatial) with {len(kernel)} spatial dims")
        channels = dims[-nd - 1]
        weight = torch.empty((1, channels, *kernel), device="meta")
        plan = plan_conv(f"conv{nd}d", dims, weight=weight, stride=stride, padding=padding,
                         dilation=dilation, padding_mode=padding_mode)
        plan = dataclasses.replace(plan, name=f"kernel {'x'.join(map(str, kernel))}")
    else:
        if (stride, padding, dilation, padding_mode) != (1, 0, 1, "zeros"):
            raise TensorsightError("explain_im2col uses the module's own options; pass a kernel "
                                   "size instead of a module to give stride/padding/...")
        plan = plan_conv(conv, input_shape)
    nd = plan.nd
    axes = [axis_taps(plan, ax) for ax in range(nd)]
    positions = []
    for pos in _positions_arg(position, plan.out_spatial):
        column = 0
        for p, size in zip(pos, plan.out_spatial):
            column = column * size + p
        taps = []
        for j in itertools.product(*(range(k) for k in plan.kernel_size)):
            coord = tuple(int(axes[ax][0][pos[ax], j[ax]]) for ax in range(nd))
            src = tuple(int(axes[ax][1][pos[ax], j[ax]]) for ax in range(nd))
            if plan.transposed:
                kind = "input" if min(src) >= 0 else "gap"
            else:
                inside = all(0 <= c < n for c, n in zip(coord, plan.in_spatial))
                kind = "input" if inside else plan.padding_mode
            source = src if min(src) >= 0 else None
            taps.append(TapRead(kernel_offset=j, coord=coord, source=source, kind=kind))
        positions.append(PositionReads(position=pos, column=column, taps=tuple(taps)))
    k = math.prod(plan.kernel_size)
    return Im2colExplanation(
        layer=plan.name, transposed=plan.transposed, in_channels=plan.in_channels,
        in_spatial=plan.in_spatial, kernel_size=plan.kernel_size, stride=plan.stride,
        padding=plan.padding, dilation=plan.dilation, padding_mode=plan.padding_mode,
        output_padding=plan.output_padding, out_spatial=plan.out_spatial,
        unfold_shape=(plan.in_channels * k, math.prod(plan.out_spatial)), positions=tuple(positions))


# ----------------------------------------------------------------------------------------------
# rendering (text only; reads the data above)
# ----------------------------------------------------------------------------------------------

_MARK = {"circular": "wrapped around (circular padding)", "reflect": "mirrored (reflect padding)",
         "replicate": "copied from the edge (replicate padding)"}


def _cell(t: TapRead) -> str:
    if t.source is None:
        return "-" if t.kind == "gap" else "0"
    text = "(" + ",".join(map(str, t.source)) + ")"
    return text + ("*" if t.kind in _MARK else "")


def _grid(taps: tuple[TapRead, ...], kernel: tuple[int, ...], indent: str) -> list[str]:
    cells = [_cell(t) for t in taps]
    width = max(len(c) for c in cells)
    row_len = kernel[-1]
    rows_per_block = kernel[-2] if len(kernel) >= 2 else 1
    lines = []
    block = row_len * rows_per_block
    for b in range(0, len(cells), block):
        if len(kernel) == 3:
            lines.append(f"{indent}kernel depth {b // block}:")
        for r in range(b, b + block, row_len):
            lines.append(indent + "  ".join(c.rjust(width) for c in cells[r:r + row_len]))
    return lines


def render_im2col(e: Im2colExplanation) -> str:
    nd = len(e.kernel_size)
    ks = "x".join(map(str, e.kernel_size))
    pads = tuple(p for p, _ in e.padding) if all(a == b for a, b in e.padding) else e.padding
    head = (f"{e.layer} on input {(e.in_channels, *e.in_spatial)}: kernel {ks}, stride {e.stride}, "
            f"padding {pads} ({e.padding_mode}), dilation {e.dilation}")
    kdims = "·".join(f"k{i}" for i in range(nd)) if nd > 1 else "k"
    lines = [head,
             f"output positions {e.out_spatial} -> unfold view [C·{kdims}, L] = "
             f"[{e.in_channels}·{'·'.join(map(str, e.kernel_size))}, {'·'.join(map(str, e.out_spatial))}]"
             f" = [{e.unfold_shape[0]}, {e.unfold_shape[1]}]",
             "column l holds the patch that output position l (row-major) reads; row c·K + j holds "
             "channel c at kernel offset j"]
    if e.transposed:
        lines.append("(transposed conv: the gather view; output q takes input i through offset j "
                     "when q + padding - j·dilation = i·stride)")
    kinds = set()
    for p in e.positions:
        pos = ", ".join(map(str, p.position))
        lines.append("")
        lines.append(f"output ({pos}) = column {p.column} reads, in each of the {e.in_channels} "
                     f"channel(s), input pixels:")
        lines.extend(_grid(p.taps, e.kernel_size, "    "))
        kinds.update(t.kind for t in p.taps)
        n_pad = p.padding_taps
        if n_pad:
            what = ("gaps (no input)" if e.transposed else
                    "zero padding" if e.padding_mode == "zeros" else f"{e.padding_mode} padding")
            lines.append(f"    {n_pad} of {len(p.taps)} taps fall on {what}")
    legend = []
    if "zeros" in kinds:
        legend.append("0 = zero padding")
    if "gap" in kinds:
        legend.append("- = no input pixel (stride gap or outside)")
    for k, text in _MARK.items():
        if k in kinds:
            legend.append(f"* = padding {text} from that pixel")
    if legend:
        lines.append("")
        lines.append("; ".join(legend))
    return "\n".join(lines)
