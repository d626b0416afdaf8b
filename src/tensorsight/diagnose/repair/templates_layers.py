"""Edit templates on layers, losses, loaders and the numbers the error names."""
from __future__ import annotations

import ast

from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Fix
from ..edit.layer_args import ARGS, ctor_arg_text, replace_ctor_arg
from .candidate import Candidate, Context
from .sites import Site


def set_ctor_in(ctx: Context, site: Site):
    """A layer's input size set to what its input holds (the axis that layer reads)."""
    module, ev = site.module, ctx.ev
    mtype = type(module).__name__
    if mtype not in ARGS or "in" not in ARGS[mtype] or not ev.activations or site.depth != 0:
        return
    x = ev.activations[0]
    axis = 1 if mtype.startswith(("Conv", "BatchNorm", "InstanceNorm", "GroupNorm")) else -1
    if len(x.shape) < 2 or not isinstance(x.shape[axis], int):
        return
    value = int(x.shape[axis])
    old = _module_size(module, "in")
    if old == value:
        return
    fixes = replace_ctor_arg(site, mtype, "in", str(value), module)
    if fixes:
        yield Candidate(tuple(fixes), "set_ctor_in", "layer", site,
                        f"{mtype} input size {old} → {value} (dim {axis} of {fmt_shape(x.shape)})", 5.0,
                        layer_change=(module, "in", old, value))


def swap_ctor_args(ctx: Context, site: Site):
    module = site.module
    mtype = type(module).__name__
    spec = ARGS.get(mtype, {})
    if "in" not in spec or "out" not in spec or spec["in"][0] == spec["out"][0]:
        return
    a = ctor_arg_text(site, mtype, "in", module)
    b = ctor_arg_text(site, mtype, "out", module)
    if not a or not b or a == b:
        return
    old_in, old_out = _module_size(module, "in"), _module_size(module, "out")
    # only when the swap makes the layer read what it is given (its own op is the one that failed)
    x = ctx.ev.activations[0] if ctx.ev.activations else None
    axis = 1 if mtype.startswith(("Conv", "BatchNorm")) else -1
    if site.depth != 0 or x is None or len(x.shape) < 2 or x.shape[axis] != old_out:
        return
    fixes = swap_positional(site, mtype, spec["in"][0], spec["out"][0], module)
    if fixes:
        yield Candidate(tuple(fixes), "swap_ctor_args", "layer", site, f"{mtype}({a}, {b}) → {mtype}({b}, {a})", 5.5,
                        layer_change=(module, "in", old_in, old_out))


def swap_positional(site: Site, name: str, i: int, j: int, module=None):
    from ..edit.layer_args import call_index
    src = edits.load(site.file)
    if src is None:
        return None
    k = call_index(site, name, module)
    calls = edits.calls_at(src, site.line, name) or edits.calls_covering(src, site.line, name)
    for call in calls[k:k + 1] if k is not None else calls:
        args = [a for a in call.node.args if a.keyword is None and not a.star]
        if max(i, j) >= len(args):
            continue
        texts = [src.code(a.value).strip() for a in args]
        texts[i], texts[j] = texts[j], texts[i]
        rest = [src.code(a).strip().rstrip(",") for a in call.node.args if a.keyword is not None or a.star]
        head = src.code(call.node.func).strip()
        return edits._splice(src, call.start, call.end, head + "(" + ", ".join(texts + rest) + ")")
    return None


def set_ctor_out(ctx: Context, site: Site):
    """The layer feeding an operand set to the size the other side of the mismatch wants."""
    module = site.module
    mtype = type(module).__name__
    if "out" not in ARGS.get(mtype, {}) or site.depth == 0:
        return
    old = _module_size(module, "out")
    for want, got in ctx.pairs:
        if got == old and want != old and want > 0:
            fixes = replace_ctor_arg(site, mtype, "out", str(want), module)
            if fixes:
                yield Candidate(tuple(fixes), "set_ctor_out", "layer", site, f"{mtype} output size {old} → {want}",
                                4.5, layer_change=(module, "out", old, want))


def batch_first(ctx: Context, site: Site):
    module = site.module
    if not hasattr(module, "batch_first") or module.batch_first or type(module).__name__ not in ("LSTM", "GRU", "RNN"):
        return
    fixes = edits.add_kwarg(site.file, site.line, (type(module).__name__,), "batch_first", "True")
    if fixes:
        yield Candidate(tuple(fixes), "batch_first", "layer", site, "batch_first=True: the data is [batch, time, …]",
                        5.0)


_LOGITS = {"BCELoss": "BCEWithLogitsLoss", "NLLLoss": "CrossEntropyLoss"}
_LOGITS_F = {"binary_cross_entropy": "binary_cross_entropy_with_logits", "nll_loss": "cross_entropy"}


def logits_loss(ctx: Context, site: Site):
    """Raw scores into a loss that wants probabilities: the logits variant, or the missing sigmoid."""
    ev = ctx.ev
    if ev is None or ev.name not in _LOGITS_F:
        return
    if site.kind == "ctor" and type(site.module).__name__ in _LOGITS:
        old = type(site.module).__name__
        fixes = edits.replace_call(site.file, site.line, (old,), _call_prefix(site, old) + _LOGITS[old] + "({args})")
        if fixes:
            yield Candidate(tuple(fixes), "logits_loss", "loss", site, f"{old} → {_LOGITS[old]} (it takes raw scores)",
                            6.0)
    if site.kind == "call":
        src = edits.load(site.file)
        for call in edits.calls_covering(src, site.line, ev.name) if src else []:
            name = edits.func_name(call.node)
            new = name[: -len(ev.name)] + _LOGITS_F[ev.name]
            fixes = edits.replace_call(site.file, site.line, (ev.name,), new + "({args})")
            if fixes:
                yield Candidate(tuple(fixes), "logits_loss", "loss", site, f"{ev.name} → {_LOGITS_F[ev.name]}", 6.0)
            break
        if ev.name == "binary_cross_entropy":
            from ..provenance.fixes import _outer_call_fix
            fixes = _outer_call_fix(ev, 0, "torch.sigmoid({})")
            if fixes:
                # the user chose a loss on probabilities: the missing piece is the sigmoid
                yield Candidate(tuple(fixes), "add_sigmoid", "loss", site, "sigmoid on the scores before the loss", 6.5)


def _call_prefix(site: Site, name: str) -> str:
    text = edits.line_of(site.file, site.line)
    for prefix in ("torch.nn.", "nn."):
        if prefix + name in text:
            return prefix
    return ""


def drop_last(ctx: Context, site: Site):
    info = site.loader
    last = info.last_batch
    if last is None or not ctx.ev or not ctx.ev.activations:
        return
    if not any(t.shape[:1] == (last,) for t in ctx.ev.activations):
        return
    fixes = edits.add_kwarg(site.file, site.line, ("DataLoader",), "drop_last", "True")
    if fixes:
        yield Candidate(tuple(fixes), "drop_last", "loader", site,
                        f"drop_last=True: the last batch holds {last} of {info.batch_size}", 4.0)


def smaller_window(ctx: Context, site: Site):
    """A pooling window larger than the feature map: shrink it to the map (the same output)."""
    if site.kind == "call":
        yield from _adaptive_call(ctx, site)
        return
    module, ev = site.module, ctx.ev
    mtype = type(module).__name__
    if not mtype.startswith(("MaxPool", "AvgPool")) or not ev.activations or site.depth != 0:
        return
    x = ev.activations[0]
    k = module.kernel_size if isinstance(module.kernel_size, int) else max(module.kernel_size)
    side = min(d for d in x.shape[2:]) if len(x.shape) > 2 else None
    if side is None or k <= side:
        return
    fixes = edits.replace_arg(site.file, site.line, (mtype,), 0, "kernel_size", str(side))
    if fixes:
        yield Candidate(tuple(fixes), "smaller_window", "layer", site, f"window {k} → {side}: the map is {side} wide",
                        5.0)
    nd = mtype[-2:]
    kind = "Max" if mtype.startswith("Max") else "Avg"
    fixes = edits.replace_call(site.file, site.line, (mtype,), _call_prefix(site, mtype) + f"Adaptive{kind}Pool{nd}(1)")
    if fixes:
        yield Candidate(tuple(fixes), "adaptive_pool", "layer", site, f"Adaptive{kind}Pool{nd}(1)", 4.5)


def _adaptive_call(ctx: Context, site: Site):
    """``F.avg_pool2d(x, 4)`` on a map smaller than 4: ``F.adaptive_avg_pool2d(x, 1)``."""
    ev = ctx.ev
    if site.depth != 0 or ev is None or ev.module_type.startswith(("AvgPool", "MaxPool")) \
            or not ev.name.startswith(("avg_pool", "max_pool")):
        return
    if "too small" not in ctx.crash.msg and "greater than" not in ctx.crash.msg:
        return
    src = edits.load(site.file)
    for call in edits.calls_covering(src, site.line, ev.name) if src else []:
        if not call.node.args:
            continue
        head = edits.func_name(call.node)[: -len(ev.name)]
        x = src.code(call.node.args[0].value).strip()
        fixes = edits._splice(src, call.start, call.end, f"{head}adaptive_{ev.name}({x}, 1)")
        if fixes:
            yield Candidate(tuple(fixes), "adaptive_pool", "layer", site,
                            f"adaptive_{ev.name}(…, 1): one value per channel whatever the map's size", 5.5)
        return


def resize_to_other(ctx: Context, site: Site):
    """Prediction and target at different resolutions: resize the prediction to the target's."""
    ev = ctx.ev
    if site.kind != "call" or site.depth != 0 or ev is None or len(ev.activations) < 2:
        return
    x, y = ev.activations[0].shape, ev.activations[1].shape
    if len(x) < 3 or len(y) < 2 or tuple(x[-2:]) == tuple(y[-2:]):
        return
    from ..provenance.fixes import _outer_call, _outer_call_fix
    src, node = _outer_call(ev)
    other = src.code(node.args[1].value).strip() if node is not None and len(node.args) > 1 else None
    if not other:
        return
    fn = edits.imports_functional_as(site.file)
    fixes = _outer_call_fix(ev, 0, fn + ".interpolate({}, size=" + other + ".shape[-2:])")
    if fixes:
        yield Candidate(tuple(fixes), "resize_to_other", "data", site,
                        f"resize the prediction {fmt_shape(x)} to the target's {fmt_shape(y[-2:])}", 4.5)


def number_from_error(ctx: Context, site: Site):
    """A constant or argument whose value is the wrong size of the error: the size it should be."""
    for want, got in ctx.pairs:
        if site.value != got or want == got:
            continue
        new = implied_text(site.text, got, want)
        if new is None:
            continue
        fixes = _replace_expr(site, new)
        if fixes:
            computed = not site.text.strip().lstrip("-").isdigit()
            yield Candidate(tuple(fixes), "number_from_error", "number", site, f"{site.text} → {new}: the data needs {want} where this gives {got}",
                            5.0 if computed else 3.5)
        for name in names_with_value(ctx, site.file, want) if not computed else ():
            if not _defined_before(site.file, site.line, name):
                continue
            fixes = _replace_expr(site, name)
            if fixes:
                yield Candidate(tuple(fixes), "number_from_name", "number", site,
                                f"{site.text} → {name}, which is {want}: the data needs {want} where this gives {got}", 5.5)


def names_with_value(ctx: Context, file: str, value: int) -> list[str]:
    """Module-level names of the program that hold ``value`` (``NUM_CLASSES``) or whose length is
    ``value`` (``len(LABELS)``): the size the program already knows, written as it knows it."""
    from .sites import _globals_by_file
    env = _globals_by_file(ctx.crash).get(file) or {}
    out = []
    for k, v in list(env.items()):
        if k.startswith("_") or callable(v) or isinstance(v, bool):
            continue
        if isinstance(v, int) and v == value:
            out.append(k)
        elif isinstance(v, (list, tuple, dict, set, str)) and len(v) == value and not isinstance(v, str):
            out.append(f"len({k})")
    return out[:3]


def _defined_before(file: str, line: int, expr: str) -> bool:
    """Whether the module-level name in ``expr`` (``N`` or ``len(N)``) is bound before ``line``
    when that line runs at module level: a config line above the data cannot read the data."""
    src = edits.load(file)
    if src is None or not (src.lines[line - 1][:1].strip()):
        return True     # inside a function: it runs later, when every module name is bound
    name = expr[4:-1] if expr.startswith("len(") else expr
    from .origin_values import tree_of
    tree = tree_of(file)
    if tree is None:
        return True
    first = min((n.lineno for n in tree.body for t in ast.walk(n)
                 if isinstance(t, ast.Name) and t.id == name and isinstance(t.ctx, ast.Store)), default=None)
    return first is None or first < line


def implied_text(text: str, got: int, want: int) -> str | None:
    """Write ``want`` in the style of ``text`` (which evaluates to ``got``)."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Constant):
        return str(want)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for keep, k in ((node.left, node.right), (node.right, node.left)):
            if isinstance(k, ast.Constant) and isinstance(k.value, int) and k.value and got == want * k.value:
                return ast.unparse(keep)
    if want == got + 1:
        return f"{text} + 1"
    if want == got - 1:
        return f"{text} - 1"
    if got and want % got == 0:
        return f"{text} * {want // got}"
    # keep the expression the user wrote (``len(vocab)``) and add what it misses
    return f"{text} + {want - got}" if want > got else f"{text} - {got - want}"


def _replace_expr(site: Site, new: str):
    src = edits.load(site.file)
    if src is None:
        return None
    line = src.lines[site.line - 1]
    if line.count(site.text) == 1:
        fixes = [Fix(site.file, site.line, line, line.replace(site.text, new))]
    elif site.span is not None and line.encode()[site.span[0]:site.span[1]].decode(errors="replace") == site.text:
        # the same text twice on the line (``zeros(n, 10).scatter_(1, i, 10.0)``): the one the site is
        raw = line.encode()
        fixes = [Fix(site.file, site.line, line, (raw[:site.span[0]] + new.encode() + raw[site.span[1]:]).decode())]
    else:
        return None
    return fixes if edits.parses(src, fixes) else None


def _module_size(module, role: str):
    names = {"in": ("in_features", "in_channels", "num_features", "input_size", "normalized_shape", "num_channels"),
             "out": ("out_features", "out_channels", "hidden_size", "embedding_dim", "num_features")}[role]
    for n in names:
        v = getattr(module, n, None)
        if v is not None:
            return v[0] if isinstance(v, tuple) and len(v) == 1 else v
    return None


# a collate that pads variable-length tensors (one line, so it can be a Fix of the DataLoader line)
PAD_COLLATE = ("lambda batch: [torch.nn.utils.rnn.pad_sequence([torch.as_tensor(v) for v in field], batch_first=True) "
               "if torch.as_tensor(field[0]).dim() else torch.as_tensor(field) for field in zip(*batch)]")


def pad_collate(ctx: Context, site: Site):
    """The default collate stacks samples of different lengths: pad each batch instead."""
    info = site.loader
    tb = ctx.crash.exc.__traceback__
    in_collate = False
    while tb is not None:
        in_collate = in_collate or "collate" in tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    if not in_collate or "equal size" not in ctx.crash.msg or info is None:
        return
    if "import torch" not in "\n".join(edits.load(site.file).lines):
        return
    fixes = edits.add_kwarg(site.file, site.line, ("DataLoader",), "collate_fn", PAD_COLLATE)
    if fixes:
        yield Candidate(tuple(fixes), "pad_collate", "loader", site,
                        "collate_fn that pads each batch to its longest sample (pad_sequence)", 5.0)


def input_size_for_network(ctx: Context, site: Site):
    """An input size the network cannot take (pooling floors odd sizes so skips do not line up,
    or the map shrinks below a window): the size written where the input is made, rounded up to
    what the downsampling needs."""
    msg = ctx.crash.msg
    joined = "must match except in dimension" in msg
    small = "too small" in msg or "can't be greater than" in msg
    if not (joined or small) or not isinstance(site.value, int) or not site.text.strip().isdigit():
        return
    if site.value not in _input_spatial_sizes(ctx):
        return
    v = site.value
    derived = _network_sizes(ctx, v, joined)
    # sizes the network's own arithmetic gives are tried right after the layer edit they compete
    # with (and named as its alternative; an evaluated model ranks them first, see rank.py);
    # round-number guesses come last
    prior = 4.8 if derived else 4.0
    options = derived or (sorted({-(-v // m) * m for m in (16, 32)} - {v}) if joined else [2 * v, 4 * v])
    why = "a multiple of the network's total downsampling" if joined else "large enough for every window of the network"
    both = _all_sides(ctx, site, joined) if derived else None
    if both is not None:
        fixes, text = both
        yield Candidate(tuple(fixes), "input_size", "number", site, f"input size {text}: {why}", prior + 0.1)
    for new in options:
        fixes = _replace_expr(site, str(new))
        if fixes:
            yield Candidate(tuple(fixes), "input_size", "number", site, f"input size {v} → {new}: {why}", prior)


def _all_sides(ctx: Context, site: Site, joined: bool):
    """``IMG_SIZE = (76, 54)``: every side written on the line set to its own nearest size, in
    one edit (one side alone still fails on the other)."""
    sides = sorted((s for s in ctx.sites if s.kind == "constant" and (s.file, s.line) == (site.file, site.line)
                    and s.span is not None and s.text.strip().isdigit() and s.value in _input_spatial_sizes(ctx)),
                   key=lambda s: s.span[0])
    if len(sides) < 2 or sides[0] is not site:
        return None
    src = edits.load(site.file)
    raw = src.lines[site.line - 1].encode()
    new = raw
    parts = []
    for s in reversed(sides):
        sizes = _network_sizes(ctx, s.value, joined)
        if not sizes:
            return None
        new = new[:s.span[0]] + str(sizes[0]).encode() + new[s.span[1]:]
        parts.append(f"{s.value} → {sizes[0]}")
    fixes = [Fix(site.file, site.line, src.lines[site.line - 1], new.decode())]
    return (fixes, ", ".join(reversed(parts))) if edits.parses(src, fixes) else None


def _network_sizes(ctx: Context, v: int, joined: bool) -> list[int]:
    """Input sizes near ``v`` the network takes, from its own arithmetic: the total downsampling
    is the input size over the smallest map the trace saw (a power of two); skips line up when
    the input is a multiple of it (nearest first, rounding down on a tie), and a window of k
    fits once the map it reads is k wide (k times the downsampling up to that op)."""
    import math
    ev = ctx.ev
    if ev is None:
        return []
    from ..edit.origin import top_call
    call = top_call(ctx.crash.trace, ev.index)
    if call is None or not call.inputs:
        return []
    shape = tuple(call.inputs[0].shape)
    axes = [a for a in range(2, len(shape)) if shape[a] == v]
    # the maps the model made from its input (same rank: [N, C, H, W] stays 4-D), on the axes
    # whose input size is v (H and W shrink at their own pace)
    maps = [t.shape[a] for e in ctx.crash.trace.events[call.start:ev.index + 1] for t in e.outputs
            if len(t.shape) == len(shape) >= 3 for a in axes if isinstance(t.shape[a], int) and t.shape[a] > 0]
    if not maps:
        return []
    if joined:
        f = 2 ** round(math.log2(v / min(maps)))
        if f < 2:
            return []
        down, up = v // f * f, -(-v // f) * f
        return [x for x in sorted({down, up}, key=lambda x: (abs(x - v), x)) if x != v and x > 0]
    x = ev.activations[0] if ev.activations else None
    module = ctx.crash.watcher.module(ev.module) if ev.module else None
    k = getattr(module, "kernel_size", None)
    k = k[0] if isinstance(k, tuple) else k
    if x is None or len(x.shape) < 3 or not isinstance(k, int) or not isinstance(x.shape[-1], int) or x.shape[-1] < 1:
        return []
    f = 2 ** round(math.log2(v / x.shape[-1]))
    return [k * f] if k * f > v else []


def _input_spatial_sizes(ctx: Context) -> set[int]:
    out = set()
    for call in ctx.crash.trace.modules:
        if call.depth == 0 and call.inputs:
            shape = call.inputs[0].shape
            out.update(d for d in shape[2:] if isinstance(d, int))
            if len(shape) == 3:
                out.update(d for d in shape[1:] if isinstance(d, int))
    return out
