"""The shape flow as a picture: one block per tensor, arrows between them, no Graphviz.

``layout(trace)`` decides what to draw (pure data: boxes and edges); ``draw(layout)`` turns that
into a ``Canvas`` of plain shapes (polygons, lines, curves, text); ``canvas_svg`` writes the
canvas as SVG and ``render.png`` paints the same canvas with Pillow, so the SVG and the PNG are
the same picture.

Which tensors get a block: the outputs of modules at one depth of the module tree (chosen so
the picture has at most ``max_boxes`` blocks) and the functional ops that change a shape
(``view``, ``flatten``, ``cat``, pooling...). Ops that keep the shape (ReLU, dropout, batch
norm...) fold into the block of the tensor they read, and a run of modules of one type that keep
the shape (ResNet's bottlenecks after the first of each stage) becomes one block marked ``×N``.
An op that reads two blocks (``x + identity``, ``torch.cat``) is a merge: its incoming skip
connection is drawn as an arc.

A block is drawn like the classic CNN figure: width ∝ log2(channels), height ∝ log2(H),
depth ∝ log2(W), for each sample (the batch dimension is left out of the picture and labels).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"

# fill colours of the front face by kind of block (top/side faces are shades of it)
COLORS = {
    "input": "#d9d9d9", "conv": "#9ecae1", "pool": "#fdae6b", "linear": "#a1d99b",
    "merge": "#bcbddc", "reshape": "#fee391", "block": "#c6dbef", "norm": "#e5e5e5",
    "embed": "#fdd0a2", "attention": "#fcbba1", "other": "#dadaeb", "error": "#fb6a4a",
}
KIND_NAMES = {
    "input": "input", "conv": "convolution", "pool": "pooling", "linear": "linear / matmul",
    "merge": "merge (add, cat)", "reshape": "reshape (view, flatten, cat...)", "block": "block of layers",
    "embed": "embedding", "attention": "attention / recurrent", "other": "other op", "error": "raised here",
}


# ---------------------------------------------------------------------------------------------
# the layout: pure data
# ---------------------------------------------------------------------------------------------
@dataclass
class Box:
    """One drawn tensor: the output of ``event`` (and of the ops folded into it)."""
    id: int
    event: int | None                 # the event whose output the block shows (None: a model input)
    events: list[int]                 # every event drawn by this block
    shape: tuple                      # full shape, batch included
    dtype: str
    kind: str                         # key of COLORS
    name: str                         # 'conv1', 'layer1.0–2', 'max_pool2d', 'input'
    detail: str                       # 'Conv2d 3×3', 'Bottleneck ×3', '2×2'
    key: str = ""                     # what ×N repeats must share (module type or op)
    count: int = 1                    # how many repeated layers this block stands for
    folded: list[str] = field(default_factory=list)  # names of shape-keeping ops folded in
    group: str = ""                   # enclosing module drawn as a frame
    merge: bool = False
    error: str = ""
    first_path: str = ""
    last_path: str = ""
    base: str = ""                    # type or op name, shown with the kernel and ×N
    kernel: str = ""                  # '3×3 /2' for conv and pool blocks ('' if repeats differ)
    residual: bool = False            # a block with a skip connection inside (ResNet's bottleneck)
    groups: dict = field(default_factory=dict)  # module depth -> enclosing module path
    no_output: bool = False           # the op raised: drawn with its input's size
    batch_note: str = ""              # 'batch 16 → 9' where dim 0 stops being the input's batch
    # geometry, filled by _place: front face at (x, y) of size w × h, 3-D depth offset (dx, dy)
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    row: int = 0
    slot: float = 0.0                 # horizontal room including its labels
    cx: float = 0.0                   # centre of the slot

    @property
    def dims(self) -> tuple:
        return drawn_dims(self.shape)

    @property
    def size_text(self) -> str:
        if self.no_output:
            return "✗ raised"
        return "×".join(_dim_text(d) for d in self.dims) if self.dims else "scalar"

    @property
    def detail_text(self) -> str:
        parts = [p for p in (self.base, self.kernel) if p]
        text = " ".join(parts)
        if self.count > 1:
            text += f" ×{self.count}"
        if self.detail and not (self.base or self.kernel):
            text = self.detail
        return text

    @property
    def short_name(self) -> str:
        if self.group and self.name.startswith(self.group + "."):
            rest = self.name[len(self.group) + 1:]
            if not rest[:1].isdigit():  # 'conv1' inside 'layer1.0'; keep 'features.0' whole
                return rest
        return self.name

    @property
    def label_lines(self) -> list[str]:
        lines = [self.short_name]
        if self.detail_text:
            lines.append(self.detail_text)
        if self.folded:
            lines.append("+ " + ", ".join(self.folded))
        if self.batch_note:
            lines.append(self.batch_note)
        return [_clip(s, 24) for s in lines]


@dataclass
class Edge:
    src: int          # box id
    dst: int
    skip: bool = False  # drawn as an arc (not the next block in the row)


@dataclass
class Group:
    path: str
    boxes: list[int]


@dataclass
class Layout:
    boxes: list[Box]
    edges: list[Edge]
    groups: list[Group]
    depth: int
    title: str = ""
    width: float = 0.0
    height: float = 0.0
    rows: list[list[int]] = field(default_factory=list)
    row_mid: list[float] = field(default_factory=list)
    row_label_y: list[float] = field(default_factory=list)
    row_top: list[float] = field(default_factory=list)
    row_bottom: list[float] = field(default_factory=list)
    arc_height: dict = field(default_factory=dict)

    def box_of_event(self, index: int) -> Box | None:
        for b in self.boxes:
            if index in b.events:
                return b
        return None


def _dim_text(d) -> str:
    """A size; a symbolic one in parentheses when it is a sum: 6×(H − 2)×(W − 2)."""
    text = str(d)
    if not isinstance(d, int) and any(op in text for op in (" ", "+", "−", "-", "·", "*")) and \
            not (text.startswith("⌊") and text.endswith("⌋") and text.count("⌊") == 1):
        return f"({text})"
    return text


def drawn_dims(shape: tuple) -> tuple:
    """The dimensions a block shows: the batch dimension is left out when there are others."""
    return tuple(shape[1:]) if len(shape) >= 2 else tuple(shape)


_CHEAP_TYPES = re.compile(
    r"ReLU|GELU|SiLU|Sigmoid|Tanh|ELU|Softmax|Softmin|Softplus|Softsign|Hardswish|Hardsigmoid|Hardtanh|"
    r"Mish|Swish|PReLU|Threshold|Dropout|Norm|Identity|Activation|LogSigmoid|Tanhshrink|GLU$")
_HEAVY_OPS = frozenset({
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "linear", "bilinear", "matmul", "bmm", "mm", "__matmul__", "__rmatmul__", "einsum", "baddbmm",
    "addmm", "scaled_dot_product_attention", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d",
    "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "lstm", "gru", "rnn_tanh",
    "embedding", "multi_head_attention_forward", "lp_pool2d", "interpolate", "upsample",
    "pixel_shuffle", "unfold", "fold",
})
_SHORT = {
    "BatchNorm1d": "bn", "BatchNorm2d": "bn", "BatchNorm3d": "bn", "batch_norm": "bn",
    "LayerNorm": "ln", "layer_norm": "ln", "GroupNorm": "gn", "group_norm": "gn",
    "InstanceNorm2d": "in", "Dropout": "dropout", "Dropout2d": "dropout", "Dropout1d": "dropout",
    "ReLU": "relu", "ReLU6": "relu6", "GELU": "gelu", "SiLU": "silu", "Sigmoid": "sigmoid",
    "Tanh": "tanh", "LeakyReLU": "leaky_relu", "Softmax": "softmax", "Identity": "identity",
}
_ARITH = {"add": "add", "iadd": "add", "radd": "add", "sub": "sub", "isub": "sub", "rsub": "sub",
          "mul": "mul", "imul": "mul", "rmul": "mul", "truediv": "div", "itruediv": "div",
          "rtruediv": "div", "matmul": "matmul", "rmatmul": "matmul", "getitem": "index"}


def _short_op(op: str) -> str:
    short = op.rsplit(".", 1)[-1]
    if short.startswith("__") and short.endswith("__"):
        return _ARITH.get(short.strip("_"), short.strip("_"))
    if short.endswith("_") and not short.startswith("_"):
        short = short[:-1]  # in-place twin: add_ is add
    return short


def _kind(name: str, type_name: str = "") -> str:
    n = (type_name or name).lower()
    if "transpose" in n and "conv" in n or n.startswith("conv"):
        return "conv"
    if "pool" in n:
        return "pool"
    if n in ("linear", "bilinear", "matmul", "bmm", "mm", "einsum", "addmm", "baddbmm", "lazylinear"):
        return "linear"
    if "embedding" in n:
        return "embed"
    if "attention" in n or n in ("lstm", "gru", "rnn", "rnn_tanh", "transformerencoderlayer",
                                 "transformerdecoderlayer", "multiheadattention"):
        return "attention"
    if n in ("view", "reshape", "flatten", "unflatten", "permute", "transpose", "squeeze", "unsqueeze",
             "cat", "concat", "stack", "split", "chunk", "index", "narrow", "expand", "repeat", "t",
             "contiguous", "movedim", "swapaxes", "select", "interpolate", "upsample", "pixel_shuffle",
             "flatten_", "view_as", "reshape_as", "unfold", "fold"):
        return "reshape"
    if "norm" in n:
        return "norm"
    return "other"


def _tuple2(v, n: int = 2) -> tuple:
    if isinstance(v, (list, tuple)):
        return tuple(v) if len(v) != 1 else tuple(v) * n
    return (v,) * n


def kernel_text(event) -> str:
    """'3×3', '3×3 /2' (stride 2), '2×2' for conv and pool events, '' for others."""
    short = _short_op(event.op)
    try:
        if short.startswith("conv"):
            w = event.inputs[1].shape if len(event.inputs) > 1 else ()
            k = tuple(w[2:])
            stride = event.arg(3, "stride", 1)
            pad = event.arg(4, "padding", 0)
        elif "pool" in short and "adaptive" not in short:
            nd = int(short[-2]) if short[-2:-1].isdigit() else 2
            k = _tuple2(event.arg(1, "kernel_size"), nd)
            stride = event.arg(2, "stride", None)
            stride = k if stride in (None, (), []) else stride
            pad = event.arg(3, "padding", 0)
        elif "adaptive" in short:
            return "→ " + "×".join(str(s) for s in _tuple2(event.arg(1, "output_size"), 1))
        else:
            return ""
    except (IndexError, TypeError, ValueError):
        return ""
    if not k:
        return ""
    text = "×".join(str(x) for x in k)
    strides = _tuple2(stride, len(k))
    if any(s != 1 for s in strides) and (short.startswith("conv") or tuple(strides) != tuple(k)):
        text += " /" + ("×".join(str(s) for s in strides) if len(set(strides)) > 1 else str(strides[0]))
    pads = _tuple2(pad, len(k)) if not isinstance(pad, str) else (pad,)
    if isinstance(pad, str):
        text += f" pad {pad}"
    elif any(p for p in pads):
        text += " pad " + (",".join(str(p) for p in pads) if len(set(pads)) > 1 else str(pads[0]))
    return text


@dataclass
class _Unit:
    events: list[int]
    call: Any = None        # a ModuleCall, or None for one functional op
    event: Any = None       # the functional OpEvent


def _module_tree(trace):
    """(owner call of each event at each cut, set of ids of calls that have nonempty children)."""
    has_child: set[int] = set()
    stack: list = []
    for call in trace.modules:
        while stack and stack[-1].depth >= call.depth:
            stack.pop()
        if stack and call.end > call.start:
            has_child.add(id(stack[-1]))
        stack.append(call)
    return has_child


def _units(trace, cut: int, has_child: set[int]) -> list[_Unit]:
    n = len(trace.events)
    owner: list = [None] * n
    for call in sorted((c for c in trace.modules if 1 <= c.depth <= cut), key=lambda c: c.depth):
        for i in range(call.start, min(call.end, n)):
            owner[i] = call
    units: list[_Unit] = []
    for i, ev in enumerate(trace.events):
        call = owner[i]
        if call is not None and (call.depth == cut or id(call) not in has_child):
            if units and units[-1].call is call:
                units[-1].events.append(i)
            else:
                units.append(_Unit([i], call=call))
        else:
            units.append(_Unit([i], event=ev))
    return units


def _unroot(path: str, roots: list[str]) -> str:
    """A script's trace names modules from the model's class (Net.conv1): drop that prefix."""
    for root in roots:
        if path.startswith(root + "."):
            return path[len(root) + 1:]
    return path


def _is_init(ev) -> bool:
    """An in-place op on a tensor nothing produced: weight initialisation, not data flow."""
    name = ev.op.rsplit(".", 1)[-1]
    acts = _acts(ev.inputs)
    return (name.endswith("_") and not name.startswith("__") and bool(acts)
            and acts[0].producer is None and acts[0].role != "input")


def _derived(trace) -> set[int] | None:
    """Events whose result depends on the model's inputs (None if the trace says nothing of that)."""
    out: set[int] = set()
    for ev in trace.events:
        if any(t.role == "input" or (t.producer is not None and t.producer in out) for t in _acts(ev.inputs)):
            out.add(ev.index)
    return out or None


def _has_residual(call, evs) -> bool:
    """A skip connection inside a block: an add (or cat) of a long path and a short one.

    The short operand is the block's input itself or a tensor at most two ops from it (ResNet's
    downsample conv + bn); the long one went through the block's layers. Adds inside attention
    (rotary embeddings) or gates (SwiGLU's mul) are not skips.
    """
    depth: dict[int, int] = {}
    for ev in evs:
        d = [depth.get(t.producer, 0) if t.producer is not None and t.producer >= call.start else 0
             for t in _acts(ev.inputs)]
        depth[ev.index] = 1 + max(d, default=0)
        if _short_op(ev.op) in ("add", "cat", "concat") and len(d) >= 2 \
                and len({t.producer for t in _acts(ev.inputs)}) >= 2 and min(d) <= 2 and max(d) >= min(d) + 2:
            return True
    return False


def _is_merge(ev) -> bool:
    """An op that adds or joins two different tensors (a skip connection's end)."""
    acts = _acts(ev.inputs)
    return len(acts) >= 2 and len({t.producer for t in acts}) >= 2 and \
        _short_op(ev.op) in ("add", "cat", "concat", "stack", "mul", "sub")


def _acts(metas) -> list:
    return [t for t in metas if t.role in ("", "input")]


def _first_tensor(metas):
    for t in metas:
        if t.device != "scalar":
            return t
    return None


def _depth_of(path: str) -> int:
    return 0 if not path else path.count(".") + 1


def _ancestor(path: str, depth: int) -> str:
    parts = path.split(".") if path else []
    return ".".join(parts[:depth]) if len(parts) >= depth else ""


def _range_name(first: str, last: str) -> str:
    if first == last:
        return first
    a, b = first.split("."), last.split(".")
    i = 0
    while i < min(len(a), len(b)) - 1 and a[i] == b[i]:
        i += 1
    return first + "–" + ".".join(b[i:])


def _boxes_at(trace, cut: int, has_child: set[int]) -> tuple[list[Box], list[Edge]]:
    boxes: list[Box] = []
    box_of: dict[int, int] = {}        # event index -> box id
    input_box: dict[tuple, int] = {}   # input shape -> box id
    for t in trace.inputs:
        if t.device == "scalar" or tuple(t.shape) in input_box:
            continue
        b = Box(len(boxes), None, [], tuple(t.shape), t.dtype, "input", "input", "", key="input")
        input_box[tuple(t.shape)] = b.id
        boxes.append(b)
    edges: dict[tuple[int, int], Edge] = {}

    def source_boxes(metas) -> list[int]:
        out: list[int] = []
        for t in _acts(metas):
            if t.producer is not None:
                b = box_of.get(t.producer)
            elif t.role == "input":
                b = input_box.get(tuple(t.shape))
            else:
                b = None
            if b is not None and b not in out:
                out.append(b)
        return out

    derived = _derived(trace)
    roots = [c.path for c in trace.modules if c.depth == 0 and c.path and c.path == c.type]
    for unit in _units(trace, cut, has_child):
        evs = [trace.events[i] for i in unit.events]
        error = next((e.error for e in evs if e.error), "")
        if derived is not None and not error and not any(i in derived for i in unit.events):
            continue  # computed from constants only (rotary tables, position ids): not the data flow
        if unit.call is not None:
            call = unit.call
            in_metas = call.inputs
            out = _first_tensor(call.outputs) or _first_tensor(evs[-1].outputs)
            main = evs[-1].index
            key = call.type
            cheap = bool(_CHEAP_TYPES.search(call.type)) and id(call) not in has_child
            inner = next((e for e in evs if kernel_text(e)), None)
            base = call.type
            kernel = kernel_text(inner) if inner is not None and id(call) not in has_child else ""
            detail = ""
            residual = id(call) in has_child and _has_residual(call, evs)
            kind = _kind("", call.type) if id(call) not in has_child else "block"
            if kind == "other" and inner is not None:
                kind = _kind(_short_op(inner.op))
            name = _unroot(call.path, roots) or call.type
            short = _SHORT.get(call.type, call.type.lower())
        else:
            ev = unit.event
            in_metas = ev.inputs
            out = _first_tensor(ev.outputs)
            if not _acts(ev.inputs) and not ev.error:
                continue  # made from nothing the picture shows (arange, zeros, a weight's .t())
            if _is_init(ev):
                continue  # a constructor filling its weights (kaiming_uniform_, zero_) in a script trace
            main = ev.index
            short = _short_op(ev.op)
            key = short
            cheap = short not in _HEAVY_OPS
            base, kernel, detail, residual = "", kernel_text(ev), "", False
            kind = _kind(short)
            name = short
        srcs = source_boxes(in_metas)
        acts = _acts(in_metas)
        in_shape = tuple(acts[0].shape) if acts else None
        out_shape = tuple(out.shape) if out is not None else None
        if out is None and not error:
            for i in unit.events:  # nothing shaped came out (e.g. .item()): keep producers mapped
                if srcs:
                    box_of[i] = srcs[0]
            continue
        keeps = out_shape is not None and in_shape == out_shape
        last = boxes[-1] if boxes else None
        path = unit.call.path if unit.call is not None else ""
        if not error and keeps and len(srcs) == 1 and boxes[srcs[0]].kind != "input" and cheap:
            target = boxes[srcs[0]]  # fold a shape-keeping op into the block it reads
            if short not in target.folded and len(target.folded) < 3:
                target.folded.append(short)
            target.events.extend(unit.events)
            for i in unit.events:
                box_of[i] = target.id
            continue
        if (not error and keeps and len(srcs) == 1 and last is not None and srcs[0] == last.id
                and last.key == key and tuple(last.shape) == out_shape and not last.merge):
            last.count += 1  # a run of same-type layers that keep the shape: one block ×N
            last.events.extend(unit.events)
            last.event = main
            last.residual = last.residual or residual
            if path:
                last.last_path = path
                last.name = (_range_name(_unroot(last.first_path, roots), _unroot(path, roots))
                             if last.first_path else last.name)
            if kernel != last.kernel:
                last.kernel = ""
            for i in unit.events:
                box_of[i] = last.id
            continue
        merge = len(srcs) >= 2
        if merge:
            kind = "merge"
            if unit.call is None:
                dim = ev.arg(1, "dim", 0) if short in ("cat", "concat", "stack") else None
                detail = f"dim {dim}" if dim is not None else ""
        if error:
            kind = "error"
        groups = {}
        for k in range(1, cut):
            if unit.call is not None:
                if _depth_of(path) > k:
                    groups[k] = _ancestor(path, k)
            elif _depth_of(unit.event.module) >= k:
                groups[k] = _ancestor(unit.event.module, k)
        b = Box(len(boxes), main, list(unit.events), out_shape or in_shape or (), out.dtype if out else "",
                kind, name, detail, key=key, merge=merge, error=error, groups=groups,
                first_path=path, last_path=path, base=base, kernel=kernel, residual=residual,
                no_output=out is None)
        boxes.append(b)
        for i in unit.events:
            box_of[i] = b.id
        for s in srcs:
            edges[(s, b.id)] = Edge(s, b.id)
    return boxes, list(edges.values())


def layout(trace, *, depth: int | None = None, max_boxes: int = 28, max_width: float = 1800,
           title: str | None = None) -> Layout:
    """Decide what to draw: the blocks, the arrows, the module frames and where they go.

    ``depth``: the module depth whose outputs become blocks (1 = the model's direct children);
    by default the deepest one that still gives at most ``max_boxes`` blocks.
    """
    from .args import check_count, check_number, check_title, check_trace
    check_trace("layout(trace)", trace)
    check_count("to_svg(depth=...)", "depth", depth, low=1)
    check_count("to_svg(max_boxes=...)", "max_boxes", max_boxes, low=1, none_ok=False)
    check_number("to_svg(max_width=...)", "max_width", max_width)
    check_title("to_svg(title=...)", title)
    has_child = _module_tree(trace)
    max_depth = max([c.depth for c in trace.modules] + [1])
    if depth is None:
        best = None
        for cut in range(1, max_depth + 1):
            boxes, edges = _boxes_at(trace, cut, has_child)
            if best is None or len(boxes) <= max_boxes:
                if best is not None and len(boxes) == len(best[1]) and cut > 1 and _same_boxes(best[1], boxes):
                    continue  # deeper gives the same picture: keep the shallower names
                best = (cut, boxes, edges)
        cut, boxes, edges = best
    else:
        cut = max(1, int(depth))
        boxes, edges = _boxes_at(trace, cut, has_child)
    for e in edges:
        e.skip = e.dst != e.src + 1
    groups = _frames(boxes, cut)
    _batch_notes(trace, boxes, edges)
    if title is None:
        ins = ", ".join(f"[{','.join(str(d) for d in t.shape)}]" for t in trace.inputs[:3])
        title = f"{trace.model or 'model'}  ·  input {ins}" if ins else (trace.model or "model")
    lay = Layout(boxes, edges, groups, cut, title)
    _place(lay, max_width)
    return lay


def _batch_notes(trace, boxes: list[Box], edges: list[Edge]) -> None:
    """Blocks leave the batch dimension out; say so where dim 0 stops being the input's batch."""
    first = next((t for t in trace.inputs if len(t.shape) >= 2), None)
    start = 0
    if first is None:  # a script's trace: the batch the model was called with
        root = next((c for c in trace.modules if c.depth == 0 and any(len(t.shape) >= 2 for t in c.inputs)), None)
        if root is None:
            return
        first = next(t for t in root.inputs if len(t.shape) >= 2)
        start = root.start
    batch = first.shape[0]
    srcs: dict[int, list[int]] = {}
    for e in edges:
        srcs.setdefault(e.dst, []).append(e.src)
    for b in boxes:
        if b.kind == "input" or len(b.shape) < 2 or b.no_output or b.shape[0] == batch \
                or b.event is None or b.event < start:
            continue
        before = [boxes[i].shape[0] for i in srcs.get(b.id, []) if len(boxes[i].shape) >= 2]
        if before and all(d == batch for d in before):
            b.batch_note = f"batch {batch} → {b.shape[0]}"
        else:
            b.batch_note = f"batch {b.shape[0]}"


def _frames(boxes: list[Box], cut: int) -> list[Group]:
    """Module frames: the module depth whose frames hold the most blocks (two or more each)."""
    best: list[Group] = []
    best_cover = 0
    for k in range(1, cut):
        groups: list[Group] = []
        for b in boxes:
            path = b.groups.get(k, "")
            if not path:
                continue
            if groups and groups[-1].path == path and groups[-1].boxes[-1] == b.id - 1:
                groups[-1].boxes.append(b.id)
            else:
                groups.append(Group(path, [b.id]))
        groups = [g for g in groups if len(g.boxes) >= 2]
        cover = sum(len(g.boxes) for g in groups)
        if cover and cover >= best_cover:
            best, best_cover = groups, cover
    for g in best:
        for i in g.boxes:
            boxes[i].group = g.path
    return best


def _same_boxes(a: list[Box], b: list[Box]) -> bool:
    return [(x.shape, x.kind, x.count) for x in a] == [(x.shape, x.kind, x.count) for x in b]


# ---------------------------------------------------------------------------------------------
# geometry
# ---------------------------------------------------------------------------------------------
def _lg(n) -> float:
    return math.log2(n) if isinstance(n, int) and n > 1 else (3.0 if not isinstance(n, int) else 0.0)


def block_size(dims: tuple) -> tuple[float, float, float]:
    """(width, height, depth) of a block on log scales: C → width, H → height, W → depth."""
    if len(dims) == 0:
        return 10.0, 10.0, 4.0
    if len(dims) == 1:
        return 9.0, min(14 + 12 * _lg(dims[0]), 190.0), 9.0
    if len(dims) == 2:
        a, b = dims
        return 4 + 5 * _lg(a), min(14 + 14 * _lg(b), 190.0), 9.0
    c = 1
    for d in dims[:-2]:
        c = c * d if isinstance(d, int) and isinstance(c, int) else "?"
    h, w = dims[-2], dims[-1]
    return 4 + 5 * _lg(c), min(14 + 16 * _lg(h), 190.0), min(14 + 16 * _lg(w), 190.0) * 0.5


def text_width(s: str, size: float, bold: bool = False) -> float:
    """Rendered width in DejaVu Sans (close to what browsers and the PNG writer use)."""
    total = 0.0
    for ch in s:
        if ch in "il.,:;'|!()[]/ jfrt":
            total += 0.34
        elif ch in "mwMW×→—∥⌊⌋":
            total += 0.92
        elif ch.isupper():
            total += 0.72
        else:
            total += 0.63
    return total * size * (1.1 if bold else 1.0)


SIZE_FONT = 12.5
LABEL_FONT = 10.5
GAP = 34.0


def _rows(lay: Layout, avail: float) -> list[list[int]]:
    """Break the blocks into rows of about equal width, where few skip connections cross."""
    slots = [b.slot for b in lay.boxes]
    n = len(slots)
    total = sum(slots)
    if n == 0:
        return []
    if total <= avail or n <= 1:
        return [list(range(n))]
    nrows = math.ceil(total / avail)
    target = total / nrows
    skips = [(e.src, e.dst) for e in lay.edges if e.skip]
    rows: list[list[int]] = []
    i = 0
    while i < n:
        rest = sum(slots[i:])
        if rest <= avail:
            rows.append(list(range(i, n)))
            break
        best_j, best_cost, width = None, None, 0.0
        for j in range(i + 1, n):
            width += slots[j - 1]
            if width + slots[j] > avail and best_j is not None:
                break
            if width < 0.5 * target and j < n - 1:
                continue
            crossings = sum(1 for s, d in skips if s < j <= d)
            cost = crossings * 10 * target + abs(width - target)
            if best_cost is None or cost < best_cost:
                best_j, best_cost = j, cost
        j = best_j if best_j is not None else i + 1
        rows.append(list(range(i, j)))
        i = j
    return rows


def _place(lay: Layout, max_width: float) -> None:
    margin = 24.0
    for b in lay.boxes:
        b.w, b.h, d = block_size(b.dims)
        b.dx, b.dy = d * 0.8, d * 0.55
        label_w = max([text_width(b.size_text, SIZE_FONT)] +
                      [text_width(s, LABEL_FONT) for s in b.label_lines])
        b.slot = max(b.w + b.dx, label_w) + GAP
    rows = _rows(lay, max_width - 2 * margin)
    for r, ids in enumerate(rows):
        for i in ids:
            lay.boxes[i].row = r
    lay.rows = rows
    # arc heights: longer arcs above shorter ones they span
    arcs = [e for e in lay.edges if e.skip]
    for e in arcs:
        lo, hi = sorted((e.src, e.dst))
        inner = [f for f in arcs if f is not e and lo <= min(f.src, f.dst) and max(f.src, f.dst) <= hi
                 and (f.src, f.dst) != (e.src, e.dst) and (max(f.src, f.dst) - min(f.src, f.dst)) < hi - lo]
        level = 1 + len({(f.src, f.dst) for f in inner})
        lay.arc_height[(e.src, e.dst)] = 18 + 16 * min(level, 8)
    y = 46.0  # title
    width = 0.0
    for r, ids in enumerate(rows):
        top_need = max(lay.boxes[i].h / 2 + lay.boxes[i].dy + (24 if lay.boxes[i].residual else 0) for i in ids)
        arcs_here = [lay.arc_height[(e.src, e.dst)] for e in arcs
                     if lay.boxes[e.src].row == r or lay.boxes[e.dst].row == r]
        arc_room = max(arcs_here, default=0.0)
        frame_room = 26.0 if any(set(g.boxes) & set(ids) for g in lay.groups) else 0.0
        half = max(lay.boxes[i].h / 2 for i in ids)
        mid = y + max(top_need + frame_room, half + arc_room + 6) + 4
        x = margin - GAP / 2
        for i in ids:
            b = lay.boxes[i]
            b.cx = x + GAP + (b.slot - GAP) / 2
            b.x = b.cx - (b.w + b.dx) / 2
            b.y = mid - b.h / 2
            x += b.slot
        width = max(width, x + margin)
        label_y = mid + max(lay.boxes[i].h / 2 for i in ids) + 18
        nlines = max(len(lay.boxes[i].label_lines) for i in ids)
        bottom = label_y + 4 + nlines * (LABEL_FONT + 3) + frame_room * 0.5
        lay.row_mid.append(mid)
        lay.row_label_y.append(label_y)
        lay.row_top.append(y)
        lay.row_bottom.append(bottom)
        y = bottom + 22
    lay.width = max(width, 360.0)
    lay.height = y + 22  # legend line


# ---------------------------------------------------------------------------------------------
# the canvas: plain shapes both the SVG and the PNG writer understand
# ---------------------------------------------------------------------------------------------
@dataclass
class Shape:
    kind: str                     # 'poly', 'rect', 'line', 'curve', 'text', 'open', 'close'
    points: list = field(default_factory=list)
    fill: str | None = None
    stroke: str | None = None
    width: float = 1.0
    dash: tuple | None = None
    text: str = ""
    size: float = 11.0
    weight: str = "normal"
    anchor: str = "middle"        # 'start', 'middle', 'end'
    family: str = "sans"
    radius: float = 0.0
    attrs: dict = field(default_factory=dict)   # for 'open': class, data-*, id
    title: str = ""
    opacity: float = 1.0


class Canvas:
    def __init__(self, width: float, height: float, background: str = "#ffffff"):
        self.width, self.height, self.background = width, height, background
        self.items: list[Shape] = []

    def poly(self, points, fill, stroke="#333333", width=1.0, opacity=1.0):
        self.items.append(Shape("poly", list(points), fill, stroke, width, opacity=opacity))

    def rect(self, x, y, w, h, fill=None, stroke="#333333", width=1.0, radius=0.0, dash=None, opacity=1.0):
        self.items.append(Shape("rect", [(x, y), (x + w, y + h)], fill, stroke, width, dash,
                                radius=radius, opacity=opacity))

    def line(self, points, stroke="#333333", width=1.2, dash=None):
        self.items.append(Shape("line", list(points), None, stroke, width, dash))

    def curve(self, p0, c1, c2, p3, stroke="#333333", width=1.2, dash=None):
        self.items.append(Shape("curve", [p0, c1, c2, p3], None, stroke, width, dash))

    def arrow(self, tip, direction, color="#333333", size=7.0):
        """A filled arrowhead with its point at ``tip`` pointing along ``direction``."""
        dx, dy = direction
        n = math.hypot(dx, dy) or 1.0
        ux, uy = dx / n, dy / n
        bx, by = tip[0] - ux * size, tip[1] - uy * size
        px, py = -uy * size * 0.45, ux * size * 0.45
        self.poly([tip, (bx + px, by + py), (bx - px, by - py)], color, None, 0)

    def text(self, x, y, s, size=11.0, weight="normal", anchor="middle", fill="#222222", family="sans"):
        self.items.append(Shape("text", [(x, y)], fill, None, 0, text=str(s), size=size,
                                weight=weight, anchor=anchor, family=family))

    def hit(self, x, y, w, h):
        """An invisible area that takes clicks (SVG only; the PNG has nothing to click)."""
        self.items.append(Shape("hit", [(x, y), (x + w, y + h)]))

    def open(self, attrs: dict, title: str = ""):
        self.items.append(Shape("open", attrs=dict(attrs), title=title))

    def close(self):
        self.items.append(Shape("close"))


def _shade(color: str, factor: float) -> str:
    """Lighter (factor > 1) or darker (< 1) version of '#rrggbb'."""
    c = color.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    if factor >= 1:
        f = factor - 1
        r, g, b = (int(v + (255 - v) * f) for v in (r, g, b))
    else:
        r, g, b = (int(v * factor) for v in (r, g, b))
    return "#%02x%02x%02x" % (r, g, b)


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"


def block(canvas: Canvas, x, y, w, h, dx, dy, color, stroke="#404040", width=1.0):
    """A 3-D looking block: front face (x, y, w, h), top and right faces going back by (dx, dy)."""
    canvas.poly([(x, y), (x + dx, y - dy), (x + w + dx, y - dy), (x + w, y)], _shade(color, 1.35), stroke, width)
    canvas.poly([(x + w, y), (x + w + dx, y - dy), (x + w + dx, y + h - dy), (x + w, y + h)],
                _shade(color, 0.78), stroke, width)
    canvas.poly([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], color, stroke, width)


def draw(lay: Layout) -> Canvas:
    cv = Canvas(lay.width, lay.height)
    cv.text(24, 28, lay.title, size=14, weight="bold", anchor="start")
    cv.text(lay.width - 24, 28, "each block: one sample's C×H×W (batch left out)", size=10,
            anchor="end", fill="#666666")
    boxes = lay.boxes
    # module frames behind the blocks
    for g in lay.groups:
        gb = [boxes[i] for i in g.boxes]
        for r in sorted({b.row for b in gb}):
            rb = [b for b in gb if b.row == r]
            x0 = rb[0].cx - (rb[0].slot - GAP) / 2 - 8
            x1 = rb[-1].cx + (rb[-1].slot - GAP) / 2 + 8
            top = min(b.y - b.dy - (7 if b.count > 1 else 0) for b in rb) - 20
            bottom = lay.row_bottom[r] - 4
            cv.rect(x0, top, x1 - x0, bottom - top, "#f7f7fb", "#b0b0c8", 1.0, radius=8, dash=(4, 3))
            cv.text(x0 + 6, top + 12, _clip(g.path, int((x1 - x0) / 6.5)), size=9.5, anchor="start",
                    fill="#6a6a8a")
    # straight arrows between neighbours
    for e in lay.edges:
        a, b = boxes[e.src], boxes[e.dst]
        if e.skip:
            continue
        if a.row == b.row:
            y = lay.row_mid[a.row]
            x0 = a.x + a.w + a.dx * 0.5 + 3
            x1 = b.x - 3
            cv.line([(x0, y), (x1, y)], "#555555", 1.4)
            cv.arrow((x1, y), (1, 0), "#555555")
        else:  # wrap to the next row: out right, down, back left, into the block
            y0 = lay.row_mid[a.row]
            x0 = a.x + a.w + a.dx * 0.5 + 3
            ymid = lay.row_bottom[a.row] + 10
            x1 = b.x - 3
            y1 = lay.row_mid[b.row]
            xr = x0 + 12
            xl = max(6.0, x1 - 14)
            cv.line([(x0, y0), (xr, y0), (xr, ymid), (xl, ymid), (xl, y1), (x1, y1)], "#555555", 1.4)
            cv.arrow((x1, y1), (1, 0), "#555555")
    # skip connections as arcs over the blocks
    for e in lay.edges:
        if not e.skip:
            continue
        a, b = boxes[e.src], boxes[e.dst]
        color = "#756bb1"
        ha = lay.arc_height[(e.src, e.dst)]
        x0, y0 = a.x + (a.w + a.dx) / 2, a.y - a.dy * 0.5 - 2
        x1, y1 = b.x + (b.w + b.dx) / 2 - 3, b.y - b.dy * 0.5 - 3
        if a.row == b.row:
            top = lay.row_mid[a.row] - max(bb.h / 2 for bb in boxes if bb.row == a.row) - ha
            cv.curve((x0, y0), (x0, top), (x1, top), (x1, y1), color, 1.6)
            cv.arrow((x1, y1), (0, 1), color)
        else:  # to a later row: up, along the right margin, down below the row, into the block
            lane = len([f for f in lay.edges if f.skip and boxes[f.src].row != boxes[f.dst].row
                        and (f.src, f.dst) < (e.src, e.dst)])
            ya = lay.row_mid[a.row] - max(bb.h / 2 for bb in boxes if bb.row == a.row) - ha
            xr = lay.width - 10 - 4 * lane
            yb = lay.row_bottom[a.row] + 16 + 4 * lane
            cv.line([(x0, y0), (x0, ya), (xr, ya), (xr, yb), (x1, yb), (x1, y1)], color, 1.4, dash=(5, 3))
            cv.arrow((x1, y1), (0, 1), color)
    # the blocks and their labels
    for b in boxes:
        attrs = {"class": "ts-box ts-" + b.kind,
                 "data-event": "input" if b.event is None else str(b.event),
                 "data-events": " ".join(str(i) for i in b.events)}
        tip = f"{b.name}: [{','.join(str(d) for d in b.shape)}] {b.dtype}"
        if b.no_output:
            tip = f"{b.name}: input [{','.join(str(d) for d in b.shape)}]"
        if b.error:
            tip += f"\nraised: {b.error}"
        cv.open(attrs, tip)
        ly = lay.row_label_y[b.row]
        content = b.slot - GAP
        top = b.y - b.dy - (8 if b.count > 1 else 0)
        cv.hit(b.cx - content / 2, top, content, ly + 4 + len(b.label_lines) * (LABEL_FONT + 3) + 2 - top)
        color = COLORS.get(b.kind, COLORS["other"])
        stroke, sw = ("#b2182b", 2.2) if b.error else ("#404040", 1.0)
        if b.count > 1:  # a run of repeated layers: ghost copies behind
            for k in (2, 1):
                off = 3.5 * k
                block(cv, b.x + off, b.y - off, b.w, b.h, b.dx, b.dy, _shade(color, 1.15), "#7a7a7a", 0.8)
        block(cv, b.x, b.y, b.w, b.h, b.dx, b.dy, color, stroke, sw)
        if b.residual:  # a skip connection inside this block: a small arc over it
            top = b.y - b.dy - 4
            cv.curve((b.x + 2, b.y - 3), (b.x + 2, top - 16), (b.x + b.w + b.dx - 2, top - 16),
                     (b.x + b.w + b.dx - 2, top + b.dy * 0.3), "#756bb1", 1.4)
            cv.arrow((b.x + b.w + b.dx - 2, top + b.dy * 0.3 + 1), (0, 1), "#756bb1", 6)
        if b.merge:
            r = 7.5
            cxm, cym = b.x + b.w / 2, b.y + b.h / 2
            cv.poly(_circle(cxm, cym, r), "#ffffff", "#54278f", 1.3)
            sym = {"add": "+", "mul": "×", "sub": "−", "cat": "∥", "concat": "∥", "stack": "∥"}.get(b.key, "+")
            cv.text(cxm, cym + 4, sym, size=11, weight="bold", fill="#54278f")
        cv.text(b.cx, ly, b.size_text, size=SIZE_FONT, weight="bold",
                fill="#b2182b" if b.error else "#111111")
        for k, s in enumerate(b.label_lines):
            note = bool(b.batch_note) and k == len(b.label_lines) - 1
            cv.text(b.cx, ly + 4 + (k + 1) * (LABEL_FONT + 3), s, size=LABEL_FONT,
                    fill="#b2182b" if note else ("#444444" if k else "#222222"),
                    weight="bold" if note else "normal")
        cv.close()
    # legend
    kinds = []
    for b in boxes:
        if b.kind not in kinds:
            kinds.append(b.kind)
    x = 24.0
    y = lay.height - 14
    for k in kinds:
        cv.rect(x, y - 9, 11, 11, COLORS.get(k, COLORS["other"]), "#404040", 0.8)
        label = KIND_NAMES.get(k, k)
        cv.text(x + 15, y, label, size=9.5, anchor="start", fill="#555555")
        x += 15 + text_width(label, 9.5) + 14
    if any(e.skip for e in lay.edges) or any(b.residual for b in boxes):
        cv.line([(x, y - 4), (x + 18, y - 4)], "#756bb1", 1.6)
        cv.text(x + 22, y, "skip connection", size=9.5, anchor="start", fill="#555555")
        x += 22 + text_width("skip connection", 9.5) + 14
    cv.text(lay.width - 24, y, "sizes on log scales", size=9.5, anchor="end", fill="#888888")
    return cv


def _circle(cx, cy, r, n=20):
    return [(cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n)) for k in range(n)]


# ---------------------------------------------------------------------------------------------
# SVG writer
# ---------------------------------------------------------------------------------------------
def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


_SVG_STYLE = (
    ".ts-box{cursor:pointer}"
    ".ts-box:hover polygon{stroke-width:1.8}"
    ".ts-box.ts-highlight polygon{stroke:#e6550d;stroke-width:3}"
    ".ts-box.ts-highlight text{fill:#e6550d}"
)


def canvas_svg(cv: Canvas, *, standalone: bool = True, css: str = _SVG_STYLE, attrs: str = "") -> str:
    """Write a canvas as SVG text (``standalone`` adds the XML declaration)."""
    out = []
    if standalone:
        out.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(cv.width)}" height="{_f(cv.height)}" '
               f'viewBox="0 0 {_f(cv.width)} {_f(cv.height)}" font-family={quoteattr(FONT)}{attrs}>\n')
    if css:
        out.append(f"<style>{css}</style>\n")
    out.append(f'<rect x="0" y="0" width="{_f(cv.width)}" height="{_f(cv.height)}" fill="{cv.background}"/>\n')
    for s in cv.items:
        if s.kind == "open":
            a = " ".join(f"{k}={quoteattr(str(v))}" for k, v in s.attrs.items())
            out.append(f"<g {a}>")
            if s.title:
                out.append(f"<title>{escape(s.title)}</title>")
            out.append("\n")
        elif s.kind == "close":
            out.append("</g>\n")
        elif s.kind == "poly":
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in s.points)
            out.append(f'<polygon points="{pts}"{_paint(s)}/>\n')
        elif s.kind == "hit":
            (x0, y0), (x1, y1) = s.points
            out.append(f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" '
                       f'fill="#ffffff" fill-opacity="0"/>\n')
        elif s.kind == "rect":
            (x0, y0), (x1, y1) = s.points
            rx = f' rx="{_f(s.radius)}"' if s.radius else ""
            out.append(f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}"{rx}'
                       f'{_paint(s)}/>\n')
        elif s.kind == "line":
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in s.points)
            out.append(f'<polyline points="{pts}" fill="none"{_paint(s, fill=False)}/>\n')
        elif s.kind == "curve":
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = s.points
            d = f"M{_f(x0)},{_f(y0)} C{_f(x1)},{_f(y1)} {_f(x2)},{_f(y2)} {_f(x3)},{_f(y3)}"
            out.append(f'<path d="{d}" fill="none"{_paint(s, fill=False)}/>\n')
        elif s.kind == "text":
            (x, y), = s.points
            anchor = "" if s.anchor == "start" else f' text-anchor="{s.anchor}"'
            weight = ' font-weight="bold"' if s.weight == "bold" else ""
            fam = f" font-family={quoteattr(MONO)}" if s.family == "mono" else ""
            space = ' xml:space="preserve"' if "  " in s.text else ""
            out.append(f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(s.size)}"{anchor}{weight}{fam}'
                       f' fill="{s.fill}"{space}>{escape(s.text)}</text>\n')
    out.append("</svg>\n")
    return "".join(out)


def _paint(s: Shape, fill: bool = True) -> str:
    a = ""
    if fill:
        a += f' fill="{s.fill}"' if s.fill else ' fill="none"'
    if s.stroke:
        a += f' stroke="{s.stroke}" stroke-width="{_f(s.width)}"'
        if s.dash:
            a += f' stroke-dasharray="{",".join(_f(v) for v in s.dash)}"'
    if s.opacity != 1.0:
        a += f' opacity="{_f(s.opacity)}"'
    return a


def to_svg(trace, *, depth: int | None = None, max_boxes: int = 28, max_width: float = 1800,
           title: str | None = None, standalone: bool = True) -> str:
    """The shape-flow diagram of ``trace`` as SVG text (see the module docstring).

    Every block is a ``<g class="ts-box" data-event="I" data-events="I J K">`` group so an HTML
    page can find the block of any event.
    """
    from .args import check_trace
    check_trace("to_svg(trace)", trace)
    lay = layout(trace, depth=depth, max_boxes=max_boxes, max_width=max_width, title=title)
    return canvas_svg(draw(lay), standalone=standalone)
