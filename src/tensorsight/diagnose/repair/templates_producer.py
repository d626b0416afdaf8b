"""Edit templates that fix the data where it is produced (producers.py finds the lines).

A right model fed wrong data crashes deep inside the model; the edit belongs where the data
is made, not in the layer that reads it:

- ``batch_axis``: one sample handed to a network without its batch axis → ``.unsqueeze(0)``
  where the script makes the tensor;
- ``onehot_to_ids``: one-hot rows where a classification loss wants class ids → the class id
  itself (the ``one_hot`` call undone where it is made) or ``.argmax(-1)``;
- ``mask_values``: class ids stored as {0, M} (a mask image read as 0/255) → ``// M``;
- ``truncate_ids``: a sequence of ids longer than an embedding's table → cut to the table's
  size where the ids are made, in the program's name for that size;
- ``pack_rows``: ``[B, N, F]`` into a block starting with BatchNorm1d(F) → run it on rows;
- ``features_last``: a layer's output handed to an RNN in the layer's axis order → permuted
  back where it is made.

Sizes (an input the network cannot take, a prediction coarser than its labels) are in
templates_producer_sizes.py.

``producer_agreement`` is the ranking term: an edit where the data is made, outside the
function that failed, outranks one that bends the consuming call or a layer to the data.
"""
from __future__ import annotations

import re

from ...shapes import fmt_shape
from ..edit import edits
from .candidate import Candidate, Context
from .producers import in_sample_code, is_data_line, real_operand
from .sites import Site

# a network's op saying its input has one axis too few
_MISSING_AXIS = re.compile(r"Dimension out of range|matrices expected|Expected \d+D|got \d+D|"
                           r"Expected 2D|Expected 3D|Expected 4D|batched", re.I)
CLASS_LOSSES = ("cross_entropy", "nll_loss")
# how much an edit where the data is made is preferred to one at the consumer (see rank.py)
PRODUCER_BONUS = 2.5


def _single_assignment(site: Site) -> bool:
    return len(edits.assigned_names(site.file, site.line)) == 1


def _lacks_batch_axis(ctx: Context) -> str | None:
    """Why the failing op's input has one axis too few (None when nothing says so)."""
    ev = ctx.ev
    x = ev.activations[0] if ev.activations else None
    if _MISSING_AXIS.search(ctx.crash.msg):
        return f"{ev.name} needs one more axis than {fmt_shape(x.shape) if x is not None else 'it got'}"
    if x is not None and ev.name.startswith("conv") and len(ev.inputs) > 1:
        spatial = len(ev.inputs[1].shape) - 2
        if len(x.shape) == spatial + 1:
            return f"{ev.name} reads {fmt_shape(x.shape)} as one unbatched sample of {x.shape[0]} channels"
    return None


def batch_axis(ctx: Context, site: Site):
    """One sample given to the network as is: add the batch axis where the tensor is made."""
    if ctx.ev is None or not is_data_line(site) or in_sample_code(site) or site.meta is None or not site.meta.known:
        return
    shape = tuple(site.meta.shape)
    if not shape or (len(shape) > 1 and shape[0] == 1) or not site.meta.dtype.startswith(("f", "bf")):
        return
    why = _lacks_batch_axis(ctx)
    if why is None or not _single_assignment(site):
        return
    fixes = edits.append_call(site.file, site.line, ".unsqueeze(0)")
    if not fixes:
        return
    prior = 6.5 if site.source == "input" else 6.0 - 0.2 * site.depth
    yield Candidate(tuple(fixes), "batch_axis", "data", site,
                    f"{fmt_shape(shape)} made here is one sample without its batch axis ({why}): "
                    f"unsqueeze(0) where it is made gives {fmt_shape((1, *shape))}", prior)


def _unwrap_one_hot(site: Site):
    src = edits.load(site.file)
    for call in edits.calls_covering(src, site.line, "one_hot") if src else []:
        if call.node.args:
            return edits._splice(src, call.start, call.end, src.code(call.node.args[0].value).strip())
    return None


def onehot_to_ids(ctx: Context, site: Site):
    """One-hot rows where a classification loss wants one class id per sample."""
    ev = ctx.ev
    if ev is None or ev.name not in CLASS_LOSSES or len(ev.activations) < 2 or site.operand != 1:
        return
    if not is_data_line(site) or site.meta is None:
        return
    classes = ev.activations[0].shape[1] if len(ev.activations[0].shape) > 1 else None
    made = site.event
    if made is not None and made.name == "one_hot" and made.where is not None \
            and (made.where.file, made.where.line) == (site.file, site.line):
        fixes = _unwrap_one_hot(site)
        if fixes:
            yield Candidate(tuple(fixes), "onehot_to_ids", "data", site,
                            f"the labels are one-hot encoded here ({fmt_shape(site.meta.shape)}, {classes} classes) "
                            f"but {ev.name} takes one class id per sample: keep the id", 6.5)
        return
    shape = tuple(site.meta.shape)
    own_line = made is not None and made.where is not None and (made.where.file, made.where.line) == (site.file, site.line)
    if own_line and classes is not None and shape and shape[-1] == classes and _single_assignment(site) \
            and tuple(ev.activations[1].shape) != tuple(ev.activations[0].shape):
        fixes = edits.append_call(site.file, site.line, ".argmax(-1)")
        if fixes:
            yield Candidate(tuple(fixes), "onehot_to_ids", "data", site,
                            f"the labels made here are rows of {classes} class scores ({fmt_shape(shape)}); "
                            f"{ev.name} takes class ids: argmax(-1)", 5.0 - 0.2 * site.depth)


_IDS_OPERAND = {"one_hot": 0, "cross_entropy": 1, "nll_loss": 1}
_OUT_OF_RANGE = re.compile(r"Class values must be smaller than num_classes|out of bounds", re.I)


def _classes(ev) -> int | None:
    if ev.name == "one_hot":
        n = ev.arg(1, "num_classes", -1)
        return n if isinstance(n, int) and n > 0 else None
    x = ev.activations[0].shape
    return x[1] if len(x) > 1 and isinstance(x[1], int) else None


def mask_values(ctx: Context, site: Site):
    """Class ids stored as {0, M} with M ≥ the number of classes (a binary mask saved as 0/255)."""
    ev = ctx.ev
    if ev is None or ev.name not in _IDS_OPERAND or not _OUT_OF_RANGE.search(ctx.crash.msg):
        return
    k = _IDS_OPERAND[ev.name]
    if site.operand != k or not is_data_line(site) or site.meta is None or site.meta.dtype.startswith(("f", "bf")):
        return
    values = _two_values(real_operand(ctx.crash, ev.activations[k]) if k < len(ev.activations) else None)
    classes = _classes(ev)
    if values is None or classes is None or values[1] < classes or not _single_assignment(site):
        return
    high = values[1]
    fixes = edits.append_call(site.file, site.line, f" // {high}")
    if fixes:
        yield Candidate(tuple(fixes), "mask_values", "data", site,
                        f"the class ids made here take only the values 0 and {high}, but there are {classes} classes: "
                        f"// {high} gives ids 0 and 1", 6.0 + (0.5 if in_sample_code(site) else 0.0) - 0.2 * site.depth)


def _two_values(t):
    """(0, M) when the tensor holds exactly the values 0 and M > 1; None otherwise."""
    if t is None or getattr(t, "numel", lambda: 0)() == 0 or t.numel() > 10_000_000 or t.is_floating_point():
        return None
    try:
        vals = t.unique().tolist()
    except Exception:  # noqa: BLE001 - a tensor we cannot read (meta, fake)
        return None
    if len(vals) == 2 and vals[0] == 0 and vals[1] > 1:
        return 0, int(vals[1])
    return None


def truncate_ids(ctx: Context, site: Site):
    """A sequence of ids longer than an embedding's table (positions past the end): cut it where
    the ids are made, to the table's size."""
    ev = ctx.ev
    if ev is None or ev.name != "embedding" or "index out of range" not in ctx.crash.msg or site.meta is None:
        return
    if site.source != "input" and not is_data_line(site):
        return
    module = ctx.crash.watcher.module(ev.module) if ev.module else None
    table = getattr(module, "num_embeddings", None)
    shape = tuple(site.meta.shape)
    if not isinstance(table, int) or len(shape) not in (1, 2) or not site.meta.dtype.startswith(("i", "u")):
        return
    if not isinstance(shape[-1], int) or shape[-1] <= table or not _single_assignment(site):
        return
    size = _size_name(ctx, module, site) or str(table)
    cut = f"[:{size}]" if len(shape) == 1 else f"[:, :{size}]"
    fixes = edits.append_call(site.file, site.line, cut)
    if fixes:
        yield Candidate(tuple(fixes), "truncate_ids", "data", site,
                        f"the {shape[-1]} ids made here are more than the {table} rows of {ev.module} "
                        f"({type(module).__name__}({table}, …)): keep the first {table}", 6.0)


def _size_name(ctx: Context, module, site: Site) -> str | None:
    """The name the program gives the table's size (``MAX_POSITIONS``), when the ids' file sees it."""
    where = ctx.crash.watcher.site(module)
    if where is None or where.file != site.file:
        return None
    text = edits.arg_text(where.file, where.line, ("Embedding",), 0, "num_embeddings")
    if text is None or not text.isidentifier():
        return None
    src = edits.load(site.file)
    defined = any(re.match(rf"{re.escape(text)}\s*=", line) for line in src.lines) if src else False
    return text if defined else None


def producer_agreement(c: Candidate, ctx: Context) -> float:
    """An edit where the data is made, in another function than the failing op, explains the
    crash by the data (the layers agree with each other); an edit at the consumer bends it."""
    s = c.site
    if c.kind != "data" or s is None or not is_data_line(s) or ctx.ev is None or ctx.ev.where is None:
        return 0.0
    if (s.file, s.line) == (ctx.ev.where.file, ctx.ev.where.line):
        return 0.0
    if s.event is not None and s.event.stack and ctx.ev.stack and s.event.stack[-1].function == ctx.ev.stack[-1].function \
            and s.event.stack[-1].file == ctx.ev.stack[-1].file:
        return 0.0
    return PRODUCER_BONUS


# -- rows packed for a layer that reads features on dim 1 --------------------------------------
def pack_rows(ctx: Context, site: Site):
    """``[B, N, F]`` features given to a block that starts with a BatchNorm1d(F) (features on
    dim 1): run the block on the ``[B·N, F]`` rows and view the result back to ``[B, N, …]``."""
    ev = ctx.ev
    if site.kind != "call" or ev is None or ev.name not in ("batch_norm", "instance_norm") or not ev.activations:
        return
    x = tuple(ev.activations[0].shape)
    stats = [t for t in ev.inputs[1:] if len(t.shape) == 1]
    if len(x) != 3 or not stats or x[-1] != stats[0].shape[0] or x[1] == x[-1]:
        return
    calls = [m for m in ctx.crash.trace.modules if m.depth > 0 and m.start <= ev.index < max(m.end, m.start + 1)
             and m.inputs and tuple(m.inputs[0].shape) == x and m.where is not None
             and (m.where.file, m.where.line) == (site.file, site.line)]
    if not calls:
        return
    block = min(calls, key=lambda m: m.depth)
    name = block.path.rsplit(".", 1)[-1]
    src = edits.load(site.file)
    for call in edits.calls_at(src, site.line) if src else []:
        fn = edits.func_name(call.node)
        if fn.rsplit(".", 1)[-1] != name or len(call.node.args) != 1:
            continue
        a = src.code(call.node.args[0].value).strip()
        if not re.fullmatch(r"[\w.]+", a):
            continue
        new = f"{src.code(call.node.func).strip()}({a}.reshape(-1, {a}.size(-1))).view(*{a}.shape[:-1], -1)"
        fixes = edits._splice(src, call.start, call.end, new)
        if fixes:
            yield Candidate(tuple(fixes), "pack_rows", "data", site,
                            f"{block.path} starts with a {ev.module_type or ev.name} that reads features on dim 1, but "
                            f"{fmt_shape(x)} has its {x[-1]} features last (as the layers after it expect): run it on "
                            f"the {x[0] * x[1]} rows [{x[0] * x[1]},{x[-1]}] and view back to [{x[0]},{x[1]},…]", 7.0)
            return


# -- a layer's output handed on with its axes in the layer's order -----------------------------
def features_last(ctx: Context, site: Site):
    """An RNN that checks ``input.size(-1) == input_size`` got a tensor whose input_size sits on
    another axis (a Conv1d's [B, C, L] handed on as is): move that axis last where it is made."""
    from .templates_data import _order_text
    rnn = site.module
    if ctx.ev is not None or site.source != "layer_input" or rnn is None or site.meta is None:
        return
    want = getattr(rnn, "input_size", None)
    shape = tuple(site.meta.shape)
    if not isinstance(want, int) or len(shape) != 3 or shape[-1] == want:
        return
    first = 0 if getattr(rnn, "batch_first", False) else 1
    axes = [i for i in range(2) if shape[i] == want and i != first]
    if len(axes) != 1 or not _single_assignment(site):
        return
    j = axes[0]
    order = [i for i in range(3) if i != j] + [j]
    fixes = edits.append_call(site.file, site.line, _order_text(order))
    maker = ctx.crash.watcher.module(site.event.module) if site.event is not None and site.event.module else None
    # the layer that made it and the RNN agree on the size: only the axis order is out of line,
    # so resizing the RNN would hide the bug
    agree = getattr(maker, "out_channels", getattr(maker, "out_features", None)) == want
    if fixes:
        yield Candidate(tuple(fixes), "features_last", "data", site,
                        f"the {fmt_shape(shape)} made here holds the {want} features {type(rnn).__name__} reads on its "
                        f"last axis on axis {j} instead (the order of the layer that made it): move them last here",
                        8.5 if agree else 6.5)
