"""Rank validated candidates: fewest edits, and agreement with the rest of the program.

A fix that makes the script run is not always the fix for the bug. A layer must not be
"fixed" to accept data whose axes are wrong: when the size a layer expects is already in the
data, on another axis, the data's layout is what is wrong (permute the data, do not change
Conv2d's in_channels to 32). Axis provenance, when available, says what each axis of the
failing operand is; a layer edit that makes the layer read an axis that is not its kind
(channels, features) loses to a data edit.
"""
from __future__ import annotations

from ..edit.layer_args import feeding_layer
from .templates import Candidate, Context
from .templates_origin import changed_text
from .templates_producer import producer_agreement

# the axis a layer family reads its size from, and the provenance roles that fit there
READS = {"conv": (1, {"channel", "feature"}), "batch_norm": (1, {"channel", "feature"}),
         "instance_norm": (1, {"channel", "feature"}), "linear": (-1, {"feature", "channel", "class"}),
         "layer_norm": (-1, {"feature", "channel"}), "lstm": (-1, {"feature"}), "gru": (-1, {"feature"})}


# each line beyond the first a fix needs
LINE_COST = 3.0


def score(c: Candidate, ctx: Context) -> float:
    o = c.outcome
    s = c.prior
    if o is not None and o.clean:
        s += 10.0
    elif o is not None and o.runs:
        s += 6.0
    s -= LINE_COST * (c.edits - 1)
    s += agreement(c, ctx)
    return s


def upper_bound(c: Candidate, ctx: Context) -> float:
    """The best score ``c`` could reach if its re-run came back clean."""
    return c.prior + 10.0 - LINE_COST * (c.edits - 1) + agreement(c, ctx)


# a layer edit for a model in eval mode (evaluated as it was trained): the input is what differs
EVALUATED_LAYER = 3.0


def agreement(c: Candidate, ctx: Context) -> float:
    return _agreement(c, ctx) - (EVALUATED_LAYER if _edits_layer(c) and _evaluated(ctx) else 0.0)


def _edits_layer(c: Candidate) -> bool:
    return c.kind == "layer" or c.layer_change is not None


def _evaluated(ctx: Context) -> bool:
    if not hasattr(ctx, "_evaluated"):
        from .templates_origin import evaluated_model
        try:
            ctx._evaluated = evaluated_model(ctx)
        except Exception:  # noqa: BLE001 - the mode could not be read: no term
            ctx._evaluated = False
    return ctx._evaluated


def _agreement(c: Candidate, ctx: Context) -> float:
    ev = ctx.ev
    if ev is None or not ev.activations:
        return _style(c, ctx) + batch_size_change(c, ctx) + made_the_operand(c, ctx)
    if c.layer_change is None:
        return _data_agreement(c, ctx) + _style(c, ctx) + batch_size_change(c, ctx) + producer_agreement(c, ctx) \
            + made_the_operand(c, ctx)
    module, role, old, new = c.layer_change
    x = ev.activations[0]
    family = next((k for k in READS if ev.name.startswith(k)), None)
    s = 0.0
    if role == "in" and family is not None and isinstance(old, int):
        axis, roles = READS[family]
        others = [i for i, d in enumerate(x.shape) if d == old and old > 1 and 0 < i != axis % max(len(x.shape), 1)]
        if others:
            s -= 4.0   # the layer's size is in the data, on another axis: the layout is wrong
        wrong = axis_roles(ctx, ev, axis)
        if wrong is not None and wrong not in roles and wrong != "?":
            s -= 3.0
        before = feeding_layer(ctx.crash.trace, x)
        if before is not None and before.module:
            prev = ctx.crash.watcher.module(before.module)
            out = _out_size(prev)
            if out is not None and out == old:
                s -= 2.0   # the layer agrees with the layer before it: something between them is wrong
    if isinstance(new, int) and new in _batch_sizes(ctx) and new not in (old,):
        s -= 5.0           # the layer would read the batch axis: the data lost an axis
    per_sample = len(x.shape) == 2 and x.shape[0] in (_model_batches(ctx) | _batch_sizes(ctx))
    if new == 1 and isinstance(old, int) and old > 1 and not per_sample:
        s -= 4.0           # a layer of width 1 to fit an axis of size 1: the data has an extra axis
    return s + _style(c, ctx)


# a value edit on a line that made the failing operand (its creation's call stack)
MADE_OPERAND = 1.0


def made_the_operand(c: Candidate, ctx: Context) -> float:
    """A stored size is read in two places (the constructor, a reset of the state before the
    failing call): the edit on a line that made the failing operand itself, off the path that
    led to the crash, explains the crash."""
    if c.site is None or c.site.kind != "constant":
        return 0.0
    lines = _operand_lines(ctx)
    return MADE_OPERAND if lines and c.lines & lines else 0.0


def _operand_lines(ctx: Context) -> set:
    """User lines on the call stacks of the ops that made the failing op's operands (read once)."""
    if not hasattr(ctx, "_operand_lines"):
        from .templates_sizes import library_scopes
        trace = ctx.crash.trace
        if ctx.ev is not None:
            made = [m.producer for m in ctx.ev.inputs]
        else:  # a check that raised before any op (an RNN's state): the tensors torch's frames hold
            rec = getattr(ctx.crash.watcher, "recorder", None)
            made = [rec.meta(v).producer for scope in library_scopes(ctx.crash.exc) for v in scope.values()
                    if isinstance(getattr(v, "shape", None), tuple) and hasattr(v, "dtype")] if rec else []
        # the lines on the way to the crash (the model's call, forward) made every operand
        from .templates_sizes import tb_frames
        crash_path = {(f.f_code.co_filename, line) for f, line in tb_frames(ctx.crash.exc)}
        ctx._operand_lines = {(f.file, f.line) for i in made if i is not None and 0 <= i < len(trace.events)
                              for f in trace.events[i].stack} - crash_path
    return ctx._operand_lines


def _batch_sizes(ctx: Context) -> set[int]:
    sizes = {b for b in ctx.crash.watcher.batch_sizes() if b > 1}
    for info in ctx.crash.watcher.loaders:
        if info.batch_size and info.batch_size > 1:
            sizes.add(info.batch_size)
    return sizes


def batch_size_change(c: Candidate, ctx: Context) -> float:
    """Resizing the batch to make shapes fit hides the bug (every batch size must work); so does
    reshaping the data the script feeds in (real data will not change shape to fit the model)."""
    s = c.site
    old, new = _changed_text(c)
    if new is not None and old is not None and any(k in new and k not in old for k in (".size(", ".shape[", "len(")):
        return 0.0     # the size now comes with the data: nothing is resized
    if s is not None and s.kind == "constant" and s.value in _batch_sizes(ctx):
        return -4.0
    if s is not None and s.kind in ("constant", "origin") and isinstance(s.value, int) and s.value > 1 \
            and s.value in _model_batches(ctx) and c.kind == "number":
        return -3.0    # the first axis of what the model is given: the batch, as far as one can tell
    if c.kind == "number" and _resizes_data(c, ctx):
        return -4.0
    return 0.0


def _model_batches(ctx: Context) -> set[int]:
    """Dim 0 of what the model is given (read once per crash: ``score`` runs per candidate)."""
    if not hasattr(ctx, "_model_batches"):
        ctx._model_batches = {int(call.inputs[0].shape[0]) for call in ctx.crash.trace.modules
                              if call.depth == 0 and call.inputs and call.inputs[0].shape
                              and isinstance(call.inputs[0].shape[0], int)}
    return ctx._model_batches


# ops that stand for the data a script reads: random tensors made outside every model
DATA_FACTORIES = {"randn", "rand", "randint", "normal", "randperm", "rand_like", "randn_like", "randint_like"}


def _resizes_data(c: Candidate, ctx: Context) -> bool:
    if not hasattr(ctx, "_data_lines"):
        ctx._data_lines = {(ev.where.file, ev.where.line) for ev in ctx.crash.trace.events
                           if ev.where is not None and not ev.module and ev.name.split(".")[-1] in DATA_FACTORIES}
    return bool(c.lines & ctx._data_lines)


def _model_lines(ctx: Context) -> set:
    """User lines that ran inside a module's forward (read once per crash)."""
    if not hasattr(ctx, "_model_lines"):
        ctx._model_lines = {(ev.where.file, ev.where.line) for ev in ctx.crash.trace.events
                            if ev.module and ev.where is not None}
    return ctx._model_lines


def _style(c: Candidate, ctx: Context) -> float:
    """A size the user computed (``labels.max()``, ``num_classes``) is kept as an expression; a
    fix that drops data (``drop_last=True``) is a workaround, not the first answer."""
    if any("drop_last=True" in f.new and "drop_last=True" not in f.old for f in c.fixes):
        return -3.0
    if any("interpolate(" in f.new and "interpolate(" not in f.old and (f.file, f.line) in _model_lines(ctx)
           for f in c.fixes):
        return -3.0    # resampling inside the network to make a join fit hides the input size
    old, new = _changed_text(c)
    if old is None or new is None:
        return 0.0
    if not _is_int(old) and _is_int(new) and c.template != "origin_value":
        return -5.0    # loses to a fix of the value where the name gets it (an origin is that fix)
    return 0.0


def _is_int(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


# data edits that move or drop axes: the layer then reads another axis than before
AXIS_EDITS = {"move_axis", "drop_axis", "squeeze_dim", "features_last", "new_axis_dim"}
# the op that made the axis, told where to put it, beats a transpose added after it
OWN_DIM = {"new_axis_dim"}


def _data_agreement(c: Candidate, ctx: Context) -> float:
    moves = any(k in f.new and k not in f.old for f in c.fixes for k in (".permute(", ".transpose(", ".t()"))
    if not moves and c.template.split("+")[0] not in AXIS_EDITS:
        return 0.0
    ev = ctx.ev
    family = next((k for k in READS if ev.name.startswith(k)), None)
    if family is None:
        return 0.0
    module = ctx.crash.watcher.module(ev.module) if ev.module else None
    want = getattr(module, "in_channels", getattr(module, "in_features", getattr(module, "num_features", None)))
    x = ev.activations[0]
    if want is None or want not in x.shape:
        return 0.0
    if want > 1 and x.shape[0] == want and want in _model_batches(ctx):
        return -4.0    # the size it wants is the batch: moving it there makes samples into features
    if c.template.split("+")[0] in OWN_DIM:
        return 2.0
    return 1.5 if moves else 0.0


def axis_roles(ctx: Context, ev, axis: int):
    """What axis ``axis`` of the failing op's first operand is, from axis provenance (if built)."""
    try:
        from ..provenance.axes import axes_of
    except ImportError:
        return None
    try:
        amap = getattr(ctx, "_axes", None)
        if amap is None:
            amap = axes_of(ctx.crash.trace, ctx.crash.watcher.batch_sizes())
            ctx._axes = amap
        roles = amap.roles(ev.index, None)
    except Exception:  # noqa: BLE001 - provenance could not say
        return None
    try:
        a = roles[0][axis] if isinstance(roles, (list, tuple)) and roles and isinstance(roles[0], (list, tuple)) \
            else roles[axis]
        return getattr(a, "role", a)
    except (IndexError, TypeError, KeyError):
        return None


def _out_size(module):
    for n in ("out_features", "out_channels", "hidden_size", "embedding_dim", "num_features"):
        v = getattr(module, n, None)
        if isinstance(v, int):
            return v
    return None


def _changed_text(c: Candidate):
    """(old, new) text of the changed part of the first fix."""
    if not c.fixes:
        return None, None
    return changed_text(c.fixes[0].old, c.fixes[0].new)


def best(cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """Candidates that run, best first."""
    ok = [c for c in cands if c.outcome is not None and c.outcome.runs]
    return sorted(ok, key=lambda c: -score(c, ctx))
