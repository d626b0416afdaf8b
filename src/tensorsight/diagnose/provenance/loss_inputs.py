"""Probabilities fed to a loss that wants logits (softmax → cross_entropy, sigmoid →
*WithLogits), looking through reshapes and through the slices of a packed head output."""
from __future__ import annotations

from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding
from . import segments
from .common import _at, _short
from .fixes import PASS_VALUES, _outer_call_fix, drop_call, drop_layer, producer, rename_call, unwrap_call

# loss -> (producer ops it must not be fed, what it wants, how to fix: 'log' | rename target)
WANTS_LOGITS = {
    "cross_entropy": ({"softmax"}, "logits (it applies log_softmax itself)", "log"),
    "nll_loss": ({"softmax"}, "log-probabilities (log_softmax)", "log"),
    "binary_cross_entropy_with_logits": ({"sigmoid"}, "logits (it applies the sigmoid itself)", "unwrap"),
}
RENAME = {"BCEWithLogitsLoss": "BCELoss", "binary_cross_entropy_with_logits": "binary_cross_entropy"}


# -- losses fed probabilities -----------------------------------------------------------------------

def loss_input_rules(ctx) -> list[Finding]:
    out = []
    trace = ctx.trace
    made_at = set()     # one finding per line that makes the probabilities, however many losses read them
    for ev in trace.events:
        name = _short(ev)
        if ev.where is None or not ev.activations:
            continue
        src = producer(trace, ev.activations[0], tuple(PASS_VALUES))
        if name == "mse_loss" and src is not None and src.name == "softmax":
            msg = ("class probabilities trained with MSE against one-hot targets: this works but learns slowly; "
                   "cross_entropy on the logits with class-index targets is the usual choice")
            out.append(Finding("info", "loss_input_type", ev.where.file, ev.where.line, msg, []))
        spec = WANTS_LOGITS.get(name)
        if spec is None or src is None or _short(src) not in spec[0]:
            continue
        bad, wants, how = spec
        if src.where is not None:
            if (src.where.file, src.where.line) in made_at:
                continue
            made_at.add((src.where.file, src.where.line))
        x = ev.activations[0]
        made = f" (from {src.name} at {_at(src)}{_packed(trace, x)})" if src.where else ""
        if how == "log":
            fixes, line = _drop_softmax_fix(ctx, ev, src)
            if not fixes:
                fixes, line = _outer_call_fix(ev, 0, "{}.log()"), ev.where
            tail = ("the loss is squashed towards log(C) and stops tracking the model; pass the logits "
                    "(or, equivalently, the log of these probabilities)")
        else:
            fixes, line = _logits_fix(ctx, ev, src)
            tail = ("the sigmoid is applied twice, so predictions near 0 or 1 get almost no gradient; "
                    "drop the sigmoid (or use the loss that takes probabilities)")
        msg = f"{name} expects {wants} but gets {src.name} output {fmt_shape(x.shape)}{made}: {tail}"
        out.append(Finding("warning", "loss_input_type", line.file, line.line, msg, fixes or []))
    return out


def _packed(trace, x) -> str:
    path = segments.packed_path(trace, x)
    if path is None or path[0].where is None or path[1].where is None:
        return ""
    cat, cut = path
    return f", packed by {cat.name} at {_at(cat)} and sliced back out at {_at(cut)}"


# what may read the probabilities besides the loss and still get the same answer from the logits
ORDER_ONLY = {"argmax", "max", "topk", "sort", "argsort"}


def _drop_softmax_fix(ctx, ev, src):
    """Drop a softmax written in the user's code when the loss is all that needs its values (an
    argmax for the accuracy ranks logits the same): ``torch.softmax(h, dim=1)`` → ``h``."""
    if src.where is None or ev.where is None:
        return None, ev.where
    if not _written_for_the_loss(src, ev):
        return None, ev.where
    layer = ctx.watcher.module(src.module) if ctx.watcher is not None and src.module else None
    if layer is not None and type(layer).__name__ != "Softmax":
        layer = None            # softmax called inside some model's forward: that line changes
    if not _only_loss_reads(ctx, src, ev):
        return None, ev.where
    if layer is not None:   # a Softmax layer: take it out of the Sequential it was built in
        site = ctx.watcher.site(layer)
        fixes = drop_layer(site.file, site.line, "Softmax") if site is not None else None
        return (fixes, site) if fixes else (None, ev.where)
    fixes = drop_call(src)
    return (fixes, src.where) if fixes else (None, ev.where)


def _written_for_the_loss(src, loss) -> bool:
    """The softmax may go where it is written when that is the loss's own function or a module's
    forward (the model's output). Any other function that returns probabilities (``predict``,
    ``predict_proba``, a helper) is an API other callers rely on: the loss call changes instead."""
    return src.where.function == "forward" or _same_frame(src, loss)


def _same_frame(a, b) -> bool:
    """Both ops ran in one call of one function (two methods named ``forward`` in one file are not
    one function: the calls that led to them differ), so a name bound at one is in scope at the other."""
    return (a.where.file, a.where.function) == (b.where.file, b.where.function) and a.stack[:-1] == b.stack[:-1]


def _only_loss_reads(ctx, src, loss) -> bool:
    """Every op that reads ``src``'s values (through reshapes and the like) is the loss or an
    argmax-like op, so the values can go back to logits without changing anything else."""
    # (event, span): the event's output carries src's values, only within span (dim, lo, hi) of
    # it when span is set (src was concatenated with other tensors: a slice may miss it)
    todo, seen = [(src.index, None)], set()
    while todo:
        i, span = todo.pop()
        for e in ctx.trace.events[i + 1:]:
            if e.index in seen or not any(t.producer == i for t in e.inputs):
                continue
            seen.add(e.index)
            name = _short(e)
            if e.index == loss.index or name in ORDER_ONLY:
                continue
            if span is not None and name == "__getitem__" and segments.misses(e, span):
                continue
            if name in segments.CATS:
                within = segments.operand_span(e, i)
                if within is not None:
                    todo.append((e.index, within))
                    continue
            if name in PASS_VALUES:
                todo.append((e.index, None))
                continue
            return False
    return True


def _logits_fix(ctx, ev, src):
    """Drop the sigmoid when only the loss reads it; else hand the loss the sigmoid's input."""
    users = [e for e in ctx.trace.events if e.index != ev.index and any(t.producer == src.index for t in e.inputs)]
    if not users or _only_loss_reads(ctx, src, ev):
        fixes = unwrap_call(src)
        if fixes and src.where is not None:
            return fixes, src.where
    elif src.where is not None and ev.where is not None and _same_frame(src, ev):
        name = _short(src)
        arg = (edits.arg_text(src.where.file, src.where.line, (name,), 0, None)
               if edits.is_function_call(src.where.file, src.where.line, name) else None)
        outer = _outer_name(ev)
        if arg and outer:
            fixes = edits.replace_arg(ev.where.file, ev.where.line, (outer,), 0, None, arg)
            if fixes:
                return fixes, ev.where
    return _rename_loss(ctx, ev)


def _outer_name(ev):
    from .fixes import _outer_call
    _, node = _outer_call(ev)
    return edits.func_name(node).rsplit(".", 1)[-1] if node is not None else None


def _rename_loss(ctx, ev):
    module = ctx.watcher.module(ev.module) if ctx.watcher is not None and ev.module else None
    if module is not None and type(module).__name__ in RENAME:
        site = ctx.watcher.site(module)
        if site is not None and getattr(module, "pos_weight", None) is None:
            mtype = type(module).__name__
            return rename_call(site.file, site.line, mtype, RENAME[mtype]), site
    name = _short(ev)
    if ev.where is not None and name in RENAME and "pos_weight" not in {k for k, v in ev.kwargs.items() if v is not None}:
        return rename_call(ev.where.file, ev.where.line, name, RENAME[name]), ev.where
    return None, ev.where
