"""One conv or pooling layer explained as a picture: why 32 becomes 30 and why 13 pools to 6.

The picture shows the input grid (padding cells shaded), the kernel, the window at its first
two positions and at its last one (the stride arrow between the first two), and the output
grid with the cells those windows make. Cells no window ever reaches are marked as dropped.
Large grids are drawn cropped: the first cells, '…', the last cells. Under the grids the
arithmetic is written out: ``⌊(32 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = 30``.

``conv_picture(event)`` takes an OpEvent of ``F.conv1d/2d/3d`` or a max/avg pool (the last two
spatial dimensions are drawn), or the numbers: ``conv_picture(size=32, kernel=3)``,
``conv_picture(size=13, kernel=2, stride=2, kind="max_pool2d")``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import TensorsightError
from .svg import Canvas, canvas_svg, text_width

CELL = 22.0
PAD_FILL = "#e3e3e3"
CELL_FILL = "#fbfbfb"
DROP_FILL = "#fcd5d0"
WIN_COLORS = ("#2171b5", "#238b45", "#d94801")   # first, second, last window
WIN_FILLS = ("#c6dbef", "#c7e9c0", "#fdd0a2")


@dataclass(frozen=True)
class Axis:
    """One spatial dimension of a sliding window."""
    size: int
    kernel: int
    stride: int
    padding: int
    dilation: int = 1
    ceil_mode: bool = False

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    @property
    def out(self) -> int:
        num = self.size + 2 * self.padding - self.dilation * (self.kernel - 1) - 1
        if num < 0:
            return 0
        if self.ceil_mode:
            o = -(-num // self.stride) + 1
            if (o - 1) * self.stride >= self.size + self.padding:
                o -= 1
            return o
        return num // self.stride + 1

    def start(self, i: int) -> int:
        """Padded coordinate (first real cell = 0) where window ``i`` starts."""
        return -self.padding + i * self.stride

    @property
    def covered_end(self) -> int:
        """One past the last cell any window reads."""
        return self.start(self.out - 1) + self.span if self.out else -self.padding

    @property
    def dropped(self) -> list[int]:
        return [i for i in range(max(0, self.covered_end), self.size)]

    def formula(self) -> tuple[str, str]:
        num = self.size + 2 * self.padding - self.dilation * (self.kernel - 1) - 1
        op = "⌈" if self.ceil_mode else "⌊"
        cl = "⌉" if self.ceil_mode else "⌋"
        general = f"out = {op}(in + 2·padding − dilation·(kernel − 1) − 1) / stride{cl} + 1"
        worked = (f"= {op}({self.size} + 2·{self.padding} − {self.dilation}·({self.kernel} − 1) − 1) / "
                  f"{self.stride}{cl} + 1 = {op}{num} / {self.stride}{cl} + 1 = {self.out}")
        return general, worked

    def words(self) -> str:
        n, k, s, o = self.size, self.kernel, self.stride, self.out
        if o <= 0:
            return (f"The {self.span}-cell window does not fit in {n + 2 * self.padding} cells "
                    f"(input {n} + padding {self.padding} on each side): no output at all.")
        starts = [self.start(i) for i in range(o)]
        shown = ", ".join(str(v) for v in starts[:3]) + (f", …, {starts[-1]}" if o > 4 else
                                                        "".join(f", {v}" for v in starts[3:]))
        moving = "one cell at a time" if s == 1 else f"{s} cells at a time"
        pad = f" (padding {self.padding} on each side makes {n + 2 * self.padding})" if self.padding else ""
        win = (f"A {self.kernel}-cell kernel with dilation {self.dilation} spans {self.span} cells; moving"
               if self.dilation > 1 else f"A {self.span}-cell window moving")
        end = starts[-1] + self.span - 1
        padded = " (the last of them padding)" if end >= n else ""
        text = (f"{win} {moving} fits at {o} places in {n} cells{pad}: "
                f"it starts at {shown}; the last covers cells {starts[-1]}–{end}{padded}.")
        if self.dropped:
            nxt = starts[-1] + s
            cells = self.dropped
            which = f"cell {cells[0]}" if len(cells) == 1 else f"cells {cells[0]}–{cells[-1]}"
            text += (f" One more would start at {nxt} and need cells up to {nxt + self.span - 1}, "
                     f"past the last cell {n - 1}: {which} never reach the output" if len(cells) > 1 else
                     f" One more would start at {nxt} and need cells up to {nxt + self.span - 1}, "
                     f"past the last cell {n - 1}: {which} never reaches the output")
            alt = Axis(n, k, s, self.padding, self.dilation, True).out
            text += f" (ceil_mode=True would give {alt})." if alt != o and not self.ceil_mode else "."
        return text


@dataclass
class ConvParams:
    kind: str                         # 'conv', 'max_pool', 'avg_pool'
    axes: tuple[Axis, ...]            # (H, W) or (L,)
    name: str = ""                    # 'conv1', 'features.3'
    op: str = ""                      # 'Conv2d', 'max_pool2d'
    in_channels: int | str | None = None
    out_channels: int | str | None = None

    @property
    def is_pool(self) -> bool:
        return "pool" in self.kind


def _pair(v, n):
    if isinstance(v, (list, tuple)):
        v = tuple(v)
        return v * n if len(v) == 1 else v[-n:]
    return (v,) * n


def params_from_event(event) -> ConvParams:
    """Read kernel, stride, padding and dilation of a conv/pool OpEvent."""
    short = event.op.rsplit(".", 1)[-1]
    acts = [t for t in event.inputs if t.role in ("", "input")]
    if not acts:
        raise TensorsightError(f"op #{event.index} {event.op} has no input tensor to draw")
    x = acts[0].shape
    name = event.module or f"op #{event.index}"
    if short in ("conv1d", "conv2d", "conv3d"):
        w = event.inputs[1].shape if len(event.inputs) > 1 else ()
        nd = len(w) - 2
        if nd < 1:
            raise TensorsightError(f"op #{event.index} {event.op}: cannot read the kernel size from its weight")
        kernel = tuple(w[2:])
        stride = _pair(event.arg(3, "stride", 1), nd)
        padding = event.arg(4, "padding", 0)
        dilation = _pair(event.arg(5, "dilation", 1), nd)
        ceil = False
        kind = "conv"
        in_c = x[-nd - 1] if len(x) > nd else None
        out_c = w[0]
    elif "pool" in short and "adaptive" not in short and "lp_" not in short:
        nd = int(short[-2]) if short[-2:-1].isdigit() else 2
        kernel = _pair(event.arg(1, "kernel_size"), nd)
        stride = event.arg(2, "stride", None)
        stride = kernel if stride in (None, (), []) else _pair(stride, nd)
        padding = event.arg(3, "padding", 0)
        if short.startswith("max"):
            dilation = _pair(event.arg(4, "dilation", 1), nd)
            ceil = bool(event.arg(5, "ceil_mode", False))
        else:
            dilation = (1,) * nd
            ceil = bool(event.arg(4, "ceil_mode", False))
        kind = "max_pool" if short.startswith("max") else "avg_pool"
        in_c = out_c = x[-nd - 1] if len(x) > nd else None
    else:
        raise TensorsightError(
            f"op #{event.index} {event.op} is not a convolution or a pooling layer with a fixed window; "
            f"the layer picture explains conv1d/2d/3d, max_pool and avg_pool")
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        else:  # 'same': pytorch pads d·(k−1) in total, the extra cell on the right; draw the left
            padding = tuple(dd * (k - 1) // 2 for dd, k in zip(dilation, kernel))
    padding = _pair(padding, nd)
    sizes = tuple(x[-nd:])
    if not all(isinstance(v, int) for v in sizes + kernel + stride + padding + dilation):
        raise TensorsightError(f"op #{event.index} has symbolic sizes; trace with a concrete --input to draw it")
    axes = tuple(Axis(sz, k, s, p, d, ceil) for sz, k, s, p, d in zip(sizes, kernel, stride, padding, dilation))
    op = event.module_type if event.module and event.module_type else short
    return ConvParams(kind, axes[-2:], name, op, in_c, out_c)


def make_params(size=32, kernel=3, stride=None, padding=0, dilation=1, kind="conv", ceil_mode=False,
                name="", in_channels=None, out_channels=None) -> ConvParams:
    """ConvParams from numbers; ``size``/``kernel``/... are ints or (H, W) pairs."""
    kind = {"conv2d": "conv", "conv": "conv", "max_pool2d": "max_pool", "maxpool": "max_pool",
            "max_pool": "max_pool", "pool": "max_pool", "avg_pool2d": "avg_pool", "avgpool": "avg_pool",
            "avg_pool": "avg_pool"}.get(str(kind).lower())
    if kind is None:
        raise TensorsightError("kind must be 'conv', 'max_pool' or 'avg_pool'")
    if stride is None:
        stride = kernel if kind != "conv" else 1
    vals = [_pair(v, 2) for v in (size, kernel, stride, padding, dilation)]
    for v in vals:
        if not all(isinstance(x, int) and x >= 0 for x in v):
            raise TensorsightError("sizes, kernel, stride, padding and dilation must be non-negative integers")
    axes = tuple(Axis(*args, ceil_mode=ceil_mode) for args in zip(*vals))
    if any(a.kernel < 1 or a.stride < 1 or a.dilation < 1 for a in axes):
        raise TensorsightError("kernel, stride and dilation must be at least 1")
    op = {"conv": "Conv2d", "max_pool": "max_pool2d", "avg_pool": "avg_pool2d"}[kind]
    return ConvParams(kind, axes, name, op, in_channels, out_channels)


# ---------------------------------------------------------------------------------------------
def _shown(first: int, last: int, keep: set[int], limit: int = 16) -> list[int | None]:
    """Indices first..last to draw; runs of three or more not in ``keep`` become one None ('…')."""
    full = list(range(first, last + 1))
    if len(full) <= limit:
        return full
    out: list[int | None] = []
    run: list[int] = []
    for i in full:
        if i in keep:
            if len(run) >= 3:
                out.append(None)
            else:
                out.extend(run)
            run = []
            out.append(i)
        else:
            run.append(i)
    if len(run) >= 3:
        out.append(None)
    else:
        out.extend(run)
    return out


def _input_keep(a: Axis, windows: list[int]) -> set[int]:
    keep = set(range(-a.padding, 0)) | set(range(a.size, a.size + a.padding))
    keep |= set(range(0, min(a.size, 3)))
    for i in windows:
        st = a.start(i)
        keep |= set(range(st - 1, st + a.span + 1))
    keep |= set(range(max(0, a.covered_end), a.size))
    keep |= {a.size - 1}
    return keep


def _output_keep(o: int, windows: list[int]) -> set[int]:
    keep = {0, 1, 2, o - 1} | set(windows)
    return {k for k in keep if 0 <= k < o}


def _windows(a: Axis) -> list[int]:
    o = a.out
    return sorted({i for i in (0, 1, o - 1) if 0 <= i < o})


def conv_canvas(event_or_params=None, trace=None, **params) -> Canvas:
    """The layer picture as a Canvas (see the module docstring)."""
    if event_or_params is None:
        p = make_params(**params)
    elif isinstance(event_or_params, ConvParams):
        p = event_or_params
    elif isinstance(event_or_params, dict):
        p = make_params(**{**event_or_params, **params})
    else:
        p = params_from_event(event_or_params)
    axes = p.axes if len(p.axes) == 2 else (Axis(1, 1, 1, 0), p.axes[0])
    ah, aw = axes
    wins_w = _windows(aw)
    col_idx = _shown(-aw.padding, aw.size + aw.padding - 1, _input_keep(aw, wins_w))
    row_idx = _shown(-ah.padding, ah.size + ah.padding - 1, _input_keep(ah, [0, ah.out - 1] if ah.out else [0]), 14)
    ocol = _shown(0, aw.out - 1, _output_keep(aw.out, wins_w))
    orow = _shown(0, ah.out - 1, _output_keep(ah.out, [0]), 14)

    c = CELL
    margin = 24.0
    top = 122.0
    in_w, in_h = len(col_idx) * c, len(row_idx) * c
    kh, kw = ah.kernel, aw.kernel
    k_w, k_h = kw * c, kh * c
    out_w, out_h = len(ocol) * c, max(len(orow), 1) * c
    gap = 64.0
    x_in = margin + 20
    x_k = x_in + in_w + gap
    x_out = x_k + k_w + gap + 10

    # the text under the grids
    lines: list[tuple[str, str, float, str]] = []   # (text, weight, size, colour)
    indent = text_width("out ", 13.0, True)
    same = ah == aw or len(p.axes) == 1
    labelled = [("", aw)] if same else [("H: ", ah), ("W: ", aw)]
    lines.append((labelled[0][1].formula()[0], "normal", 12.5, "#333333"))
    for label, a in labelled:
        lines.append((f"{label}\t{a.formula()[1]}", "bold", 13.0, "#111111"))
    for label, a in labelled:
        lines.append((f"{label}{a.words()}", "normal", 12.0, "#333333"))
    if trace is not None and event_or_params is not None and not isinstance(event_or_params, (dict, ConvParams)):
        summary = _explain_summary(event_or_params, trace)
        if summary:
            lines.append((summary, "normal", 11.5, "#666666"))
    wrapped: list[tuple[str, str, float, str]] = []
    text_max = max(x_out + out_w + margin, 640.0) - 2 * margin
    for text, weight, size, color in lines:
        for part in _wrap(text, size, text_max, weight == "bold"):
            wrapped.append((part, weight, size, color))
    grid_bottom = top + max(in_h, k_h, out_h) + 62
    width = max(x_out + out_w + margin, 640.0)
    height = grid_bottom + 16 + len(wrapped) * 19 + 16
    cv = Canvas(width, height)

    # title
    what = {"conv": "convolution", "max_pool": "max pooling", "avg_pool": "average pooling"}[p.kind]
    size_in = "×".join(str(a.size) for a in p.axes)
    size_out = "×".join(str(a.out) for a in p.axes)
    head = p.op or what
    if p.name and p.name != p.op:
        head = f"{p.name} · {head}"
    ks = "×".join(str(a.kernel) for a in p.axes)
    st = "×".join(str(a.stride) for a in p.axes) if len({a.stride for a in p.axes}) > 1 else str(aw.stride)
    pd = "×".join(str(a.padding) for a in p.axes) if len({a.padding for a in p.axes}) > 1 else str(aw.padding)
    extra = f", dilation {aw.dilation}" if any(a.dilation != 1 for a in p.axes) else ""
    extra += ", ceil_mode" if aw.ceil_mode else ""
    cv.text(margin, 32, f"{head}: {size_in} → {size_out}", size=16, weight="bold", anchor="start")
    cv.text(margin, 56, f"{what}, kernel {ks}, stride {st}, padding {pd}{extra}", size=12.5,
            anchor="start", fill="#444444")

    # input grid
    col_x = {}
    for j, ci in enumerate(col_idx):
        col_x[ci] = x_in + j * c
    row_y = {}
    for i, ri in enumerate(row_idx):
        row_y[ri] = top + i * c
    dropped_w, dropped_h = set(aw.dropped), set(ah.dropped)
    for i, ri in enumerate(row_idx):
        for j, ci in enumerate(col_idx):
            x, y = x_in + j * c, top + i * c
            if ri is None or ci is None:
                cv.rect(x, y, c, c, "#ffffff", "#dddddd", 0.6)
                continue
            pad = not (0 <= ri < ah.size and 0 <= ci < aw.size)
            drop = (ci in dropped_w or ri in dropped_h) and not pad
            fill = PAD_FILL if pad else (DROP_FILL if drop else CELL_FILL)
            cv.rect(x, y, c, c, fill, "#9a9a9a", 0.7)
            if pad:
                cv.text(x + c / 2, y + c / 2 + 4, "−∞" if p.kind == "max_pool" else "0", size=8.5,
                        fill="#9a9a9a")
            elif drop:
                cv.line([(x + 4, y + 4), (x + c - 4, y + c - 4)], "#cb181d", 1.0)
                cv.line([(x + c - 4, y + 4), (x + 4, y + c - 4)], "#cb181d", 1.0)
    # ellipses
    for j, ci in enumerate(col_idx):
        if ci is None:
            cv.text(x_in + j * c + c / 2, top - 8, "…", size=13, fill="#555555")
    for i, ri in enumerate(row_idx):
        if ri is None:
            cv.text(x_in - 12, top + i * c + c / 2 + 4, "⋮", size=13, fill="#555555")
    # column numbers (real cells), row numbers on the left
    for j, ci in enumerate(col_idx):
        if ci is not None and 0 <= ci < aw.size:
            cv.text(x_in + j * c + c / 2, top - 8, str(ci), size=8.5 if ci < 100 else 7, fill="#555555")
    for i, ri in enumerate(row_idx):
        if ri is not None and 0 <= ri < ah.size and len(row_idx) > 1:
            cv.text(x_in - 6, top + i * c + c / 2 + 3, str(ri), size=8.5, anchor="end", fill="#555555")
    in_label = f"input {size_in}" + (f" + padding {pd}" if any(a.padding for a in p.axes) else "")
    if p.in_channels is not None and not p.is_pool:
        in_label += f" ({p.in_channels} channel{'s' if p.in_channels != 1 else ''})"
    cv.text(x_in + in_w / 2, top + in_h + 22, in_label, size=12, fill="#222222")

    # windows on the input (first, second, last) and their output cells
    wy0 = row_y.get(-ah.padding, top)
    for n_w, wi in enumerate(wins_w):
        color = WIN_COLORS[0 if wi == 0 else (1 if wi == 1 and wi != aw.out - 1 else 2)]
        fillc = WIN_FILLS[WIN_COLORS.index(color)]
        st0 = aw.start(wi)
        xs = [col_x.get(st0 + t * aw.dilation) for t in range(aw.kernel)]
        if any(v is None for v in xs):
            continue
        inset = 1.5 * (WIN_COLORS.index(color))
        x0 = xs[0] + inset
        x1 = xs[-1] + c - inset
        y0 = wy0 + inset
        rows = [row_y.get(-ah.padding + t * ah.dilation) for t in range(ah.kernel)]
        if any(v is None for v in rows):
            continue
        y1 = rows[-1] + c - inset
        if aw.dilation > 1 or ah.dilation > 1:
            for rx in xs:
                for ry in rows:
                    cv.rect(rx + 3, ry + 3, c - 6, c - 6, fillc, None, 0, opacity=0.85)
        else:
            cv.rect(x0, y0, x1 - x0, y1 - y0, fillc, None, 0, opacity=0.45)
        cv.rect(x0, y0, x1 - x0, y1 - y0, None, color, 2.4)
    # stride arrow between the first two windows
    if len(wins_w) >= 2 and wins_w[1] == 1 and col_x.get(aw.start(1)) is not None and col_x.get(aw.start(0)) is not None:
        xa, xb = col_x[aw.start(0)], col_x[aw.start(1)]
        ya = top - 24
        if xb > xa:
            cv.line([(xa, ya), (xb - 1, ya)], "#238b45", 1.6)
            cv.line([(xa, ya - 4), (xa, ya + 4)], "#238b45", 1.6)
            cv.arrow((xb, ya), (1, 0), "#238b45", 7)
        cv.text(xa, ya - 8, f"stride {aw.stride}", size=11, anchor="start", fill="#238b45", weight="bold")
    # last window label
    if aw.out >= 2 and col_x.get(aw.start(aw.out - 1)) is not None:
        xl = col_x[aw.start(aw.out - 1)]
        cv.text(xl, top - 24, f"last start {aw.start(aw.out - 1)}", size=10.5, anchor="start",
                fill=WIN_COLORS[2], weight="bold")

    # the kernel
    ky = top
    for i in range(kh):
        for j in range(kw):
            cv.rect(x_k + j * c, ky + i * c, c, c, "#dadaeb" if not p.is_pool else "#fdd0a2", "#6a51a3", 0.9)
            if not p.is_pool:
                cv.text(x_k + j * c + c / 2, ky + i * c + c / 2 + 4, "w", size=10, fill="#54278f")
    op_sym = {"conv": "∗", "max_pool": "max", "avg_pool": "mean"}[p.kind]
    cv.text(x_k - gap / 2, top + min(in_h, k_h) / 2 + 5, op_sym, size=18 if p.kind == "conv" else 12,
            fill="#333333", weight="bold")
    k_label = f"kernel {kh}×{kw}" if len(p.axes) == 2 else f"kernel {kw}"
    cv.text(x_k + k_w / 2, top + k_h + 22, k_label, size=12, fill="#222222")
    if not p.is_pool and p.out_channels is not None:
        cv.text(x_k + k_w / 2, top + k_h + 38, f"× {p.in_channels}→{p.out_channels} channels", size=10.5,
                fill="#555555")
    elif p.is_pool:
        cv.text(x_k + k_w / 2, top + k_h + 38, "takes the max" if p.kind == "max_pool" else "takes the mean",
                size=10.5, fill="#555555")
    cv.text(x_out - gap / 2 - 5, top + min(in_h, k_h) / 2 + 5, "=", size=18, fill="#333333", weight="bold")

    # the output grid
    for i, ri in enumerate(orow):
        for j, ci in enumerate(ocol):
            x, y = x_out + j * c, top + i * c
            if ri is None or ci is None:
                cv.rect(x, y, c, c, "#ffffff", "#dddddd", 0.6)
                continue
            fill = CELL_FILL
            if ri == 0 and ci in wins_w:
                k = 0 if ci == 0 else (1 if ci == 1 and ci != aw.out - 1 else 2)
                fill = WIN_FILLS[k]
            cv.rect(x, y, c, c, fill, "#9a9a9a", 0.7)
            if ri == 0 and ci in wins_w:
                k = 0 if ci == 0 else (1 if ci == 1 and ci != aw.out - 1 else 2)
                cv.rect(x + 1, y + 1, c - 2, c - 2, None, WIN_COLORS[k], 2.2)
    for j, ci in enumerate(ocol):
        if ci is None:
            cv.text(x_out + j * c + c / 2, top - 8, "…", size=13, fill="#555555")
        else:
            cv.text(x_out + j * c + c / 2, top - 8, str(ci), size=8.5 if ci < 100 else 7, fill="#555555")
    for i, ri in enumerate(orow):
        if ri is None:
            cv.text(x_out - 12, top + i * c + c / 2 + 4, "⋮", size=13, fill="#555555")
    out_label = f"output {size_out}"
    if p.out_channels is not None and not p.is_pool:
        out_label += f" ({p.out_channels} channel{'s' if p.out_channels != 1 else ''})"
    cv.text(x_out + out_w / 2, top + out_h + 22, out_label, size=12, fill="#222222")

    # legend line and text
    y = grid_bottom
    lx = margin
    items = [(CELL_FILL, "input cell"), (WIN_FILLS[0], "window 0"), (WIN_FILLS[1], "window 1"),
             (WIN_FILLS[2], "last window")]
    if any(a.padding for a in p.axes):
        items.insert(1, (PAD_FILL, "padding"))
    if aw.dropped or ah.dropped:
        items.append((DROP_FILL, "dropped: no window reaches it"))
    for fill, label in items:
        cv.rect(lx, y - 9, 11, 11, fill, "#9a9a9a", 0.7)
        cv.text(lx + 15, y, label, size=10, anchor="start", fill="#555555")
        lx += 15 + text_width(label, 10) + 16
    y += 26
    for text, weight, size, color in wrapped:
        if "\t" in text:  # the worked line: its '=' under the formula's '='
            label, _, text = text.partition("\t")
            if label:
                cv.text(margin, y, label, size=size, weight=weight, anchor="start", fill=color)
            cv.text(margin + indent, y, text, size=size, weight=weight, anchor="start", fill=color)
        else:
            cv.text(margin, y, text, size=size, weight=weight, anchor="start", fill=color)
        y += 19
    return cv


def _wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    words = text.split(" ")
    lines, cur = [], ""
    for w in words:
        cand = (cur + " " + w) if cur else w
        if cur and text_width(cand, size, bold) > width:
            lines.append(cur)
            cur = "    " + w
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines


def _explain_summary(event, trace) -> str:
    try:
        from ..analysis.explain import explain_shape
    except ImportError:
        return ""
    try:
        ex = explain_shape(event, trace)
    except Exception:  # noqa: BLE001 - an explanation is a bonus, never a failure of the picture
        return ""
    return getattr(ex, "summary", "") if ex is not None else ""


def conv_picture(event_or_params=None, trace=None, **params) -> str:
    """SVG of one conv or pooling layer: input grid, kernel, padding, stride, output grid.

    ``conv_picture(trace[0], trace)``, ``conv_picture(size=32, kernel=3)`` or
    ``conv_picture(size=13, kernel=2, stride=2, kind="max_pool")``.
    """
    return canvas_svg(conv_canvas(event_or_params, trace=trace, **params))


def is_windowed(event) -> bool:
    """True for the ops conv_picture can draw."""
    short = event.op.rsplit(".", 1)[-1]
    return short in ("conv1d", "conv2d", "conv3d") or (
        "pool" in short and "adaptive" not in short and "lp_" not in short and short[-2:-1].isdigit())
