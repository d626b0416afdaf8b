"""Edit templates for defaults that hold for most batches and fail on one: the train/eval mode,
a squeeze that eats a batch of one, a loader's partial last batch, a pooling window fixed for
one input size.

Each runs once per crash, at the failing op's own line (the first ``call`` site), and writes its
edit where the default is set: the line binding the model, the squeeze's own line, the
DataLoader that was being iterated, the pooling call.
"""
from __future__ import annotations

import re

import torch

from ...shapes import fmt_shape
from ..edit import edits
from .candidate import Candidate, Context, Template
from .sites import Site, _walk

# torch's message when a BatchNorm in training mode sees one value per channel
_ONE_VALUE = re.compile(r"Expected more than 1 value per channel when training")


def _first_call(ctx: Context, site: Site) -> bool:
    """Run once per crash: at the failing op's own line."""
    return site.kind == "call" and site.depth == 0 and ctx.sites and ctx.sites[0] is site


# -- BatchNorm in training mode on a batch of one --------------------------------------------

def eval_mode(ctx: Context, site: Site):
    """Inference on one sample with the model left in training mode: ``.eval()`` where the model
    is bound (the running statistics are used then). Not for a model being trained: there the
    batch of one is the loader's last (``drop_last``) or the data's."""
    if not _first_call(ctx, site) or not _ONE_VALUE.search(ctx.crash.msg):
        return
    w = ctx.crash.watcher
    if w.steps or w.backward_passes:
        return
    model = _top_module(ctx)
    if model is None:
        return
    line = _binding_line(ctx, model)
    if line is None:
        return
    fixes = edits.append_call(line[0], line[1], ".eval()")
    if fixes:
        yield Candidate(tuple(fixes), "eval_mode", "layer", Site("call", line[0], line[1],
                        f"binds the {type(model).__name__} used for inference, left in training mode", depth=2),
                        f".eval(): {type(model).__name__} runs inference on one sample, and BatchNorm in training "
                        f"mode needs at least 2 values per channel", 7.0)


def _top_module(ctx: Context):
    """The outermost nn.Module the traceback went through (the model the script called)."""
    for loc in ctx.crash.tb_locals:
        m = loc.get("self")
        if isinstance(m, torch.nn.Module):
            return m
    return None


def _binding_line(ctx: Context, obj) -> tuple[str, int] | None:
    """The last ``name = ...`` line before the call in the outermost user frame that binds a name
    to ``obj`` (``model = build(...)``), else the line that created it."""
    import ast
    stack = ctx.crash.stack
    if not stack:
        return None
    outer = stack[0]
    names = _names_bound(ctx, obj, outer.file)
    src = edits.load(outer.file)
    if src is not None and names:
        try:
            tree = ast.parse("\n".join(src.lines))
        except SyntaxError:
            tree = None
        best = None
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Assign) and node.lineno <= outer.line and any(
                    isinstance(t, ast.Name) and t.id in names for t in node.targets):
                if best is None or node.lineno > best:
                    best = node.lineno
        if best is not None:
            return outer.file, best
    made = ctx.crash.watcher.site(obj)
    return (made.file, made.line) if made is not None else None


def _names_bound(ctx: Context, obj, file: str) -> set[str]:
    out = set()
    tb = ctx.crash.exc.__traceback__
    while tb is not None:
        f = tb.tb_frame
        if f.f_code.co_filename == file:
            out.update(k for k, v in list(f.f_locals.items()) if v is obj)
            out.update(k for k, v in list(f.f_globals.items()) if v is obj)
        tb = tb.tb_next
    return out


# -- a squeeze that dropped the batch axis of a batch of one ---------------------------------

def squeeze_ate_batch(ctx: Context, site: Site):
    """A squeeze in the failing op's slice dropped an axis of size 1 that earlier runs of the same
    line kept (it was the batch, now of one): remove the squeeze when it dropped nothing before,
    else squeeze only the axis it dropped before."""
    ev = ctx.ev
    if not _first_call(ctx, site) or ev is None:
        return
    trace = ctx.crash.trace
    seen = set()
    for i, meta in enumerate(ev.activations):
        for depth, step in _walk(trace, meta):
            if step.name != "squeeze" or step.where is None or not step.activations or not step.outputs:
                continue
            key = (step.where.file, step.where.line)
            if key in seen:
                continue
            seen.add(key)
            before = tuple(step.activations[0].shape)
            after = tuple(step.outputs[0].shape)
            earlier = _earlier_squeezes(trace, step)
            if not earlier or len(after) >= len(before):
                continue
            kept = [e for e in earlier if len(e[1]) > len(after)]
            if not kept:
                continue
            b0, a0 = kept[0]
            drops = len(b0) - len(a0)
            where = Site("operand", step.where.file, step.where.line,
                         f"squeezes {fmt_shape(before)} to {fmt_shape(after)}, where earlier batches kept "
                         f"{fmt_shape(a0)}", operand=i, event=step, meta=step.outputs[0], depth=depth)
            if drops == 0:
                fixes = edits.remove_method(step.where.file, step.where.line, "squeeze")
                detail = (f"remove .squeeze(…): it changed nothing on batches like {fmt_shape(b0)} and drops the "
                          f"batch axis of a batch of one ({fmt_shape(before)} → {fmt_shape(after)})")
            else:
                dims = [d for d, size in enumerate(b0) if size == 1]
                if len(dims) != 1:
                    continue
                # the last axis written as -1: it stays the last whatever the rank
                dim = dims[0] if dims[0] < len(b0) - 1 or dims[0] == 0 else -1
                fixes = edits.replace_call(step.where.file, step.where.line, ("squeeze",),
                                           "{self}.squeeze(" + str(dim) + ")")
                detail = f"squeeze({dim}): only the axis it drops on every batch, not the batch axis of a batch of one"
            if fixes:
                yield Candidate(tuple(fixes), "squeeze_ate_batch", "data", where, detail, 7.0 - 0.1 * depth)


def _earlier_squeezes(trace, step) -> list[tuple[tuple, tuple]]:
    """(input, output) shapes of the other recorded runs of ``step``'s line (other batches)."""
    out = []
    for e in trace.events[:step.index]:
        if e.name == step.name and e.where is not None and (e.where.file, e.where.line) == \
                (step.where.file, step.where.line) and e.activations and e.outputs:
            pair = (tuple(e.activations[0].shape), tuple(e.outputs[0].shape))
            if pair[0] != tuple(step.activations[0].shape) and pair not in out:
                out.append(pair)
    return out


# -- a loader's partial last batch -------------------------------------------------------------

def partial_batch_loader(ctx: Context, site: Site):
    """The crash happened on a loader's last, partial batch (a tensor on the traceback has that
    many samples) while full batches ran: ``drop_last=True`` on that loader."""
    if not _first_call(ctx, site):
        return
    for info in ctx.crash.watcher.loaders:
        last = info.last_batch
        if not info.iterated or info.where is None or last is None or not _on_traceback(ctx, last):
            continue
        fixes = edits.add_kwarg(info.where.file, info.where.line, ("DataLoader",), "drop_last", "True")
        # the failing line names the loader's batch size as the program names it (a constant):
        # the program means every batch to hold that many, so the partial batch is what to drop
        named = _names_batch_size(ctx, info)
        if fixes:
            yield Candidate(tuple(fixes), "drop_last", "loader",
                            Site("loader", info.where.file, info.where.line, "batches the data", loader=info, depth=2),
                            f"drop_last=True: the crash is on this loader's last batch, {last} of {info.batch_size} "
                            f"samples, and the code assumes full batches", 8.5 if named else 5.0)


def _names_batch_size(ctx: Context, info) -> bool:
    """The loader's ``batch_size=`` is a name, and the failing line uses that name too."""
    text = edits.line_of(info.where.file, info.where.line)
    m = re.search(r"batch_size\s*=\s*([A-Za-z_][\w.]*)", text)
    fail = ctx.crash.symptom
    if m is None or fail is None:
        return False
    return re.search(rf"(?<![\w.]){re.escape(m.group(1))}(?!\w)", edits.line_of(fail.file, fail.line)) is not None


def _on_traceback(ctx: Context, last: int) -> bool:
    """A tensor of the traceback's frames has ``last`` samples (a batch of one: a tensor with
    more axes than a vector of scalars)."""
    for loc in ctx.crash.tb_locals:
        for v in list(loc.values()):
            if isinstance(v, torch.Tensor) and v.dim() > (1 if last == 1 else 0) and int(v.shape[0]) == last:
                return True
    return False


def batch_in_view(ctx: Context, site: Site):
    """A view/reshape written with the loader's batch size fails on the partial last batch: infer
    the batch axis (``-1``)."""
    ev = ctx.ev
    if not _first_call(ctx, site) or ev is None or ev.name not in ("view", "reshape") or ev.where is None:
        return
    full = {info.batch_size for info in ctx.crash.watcher.loaders if info.iterated and info.last_batch}
    sizes = [a for a in ev.args[1:] if isinstance(a, int)] or \
        [a for a in (ev.args[1] if len(ev.args) > 1 and isinstance(ev.args[1], (list, tuple)) else ())]
    if not sizes or sizes[0] not in full or -1 in sizes:
        return
    src = edits.load(ev.where.file)
    for call in edits.calls_covering(src, ev.where.line, ev.name) if src else []:
        args = [a for a in call.node.args if a.keyword is None]
        if len(args) < 2:
            continue
        first = args[0].value
        pos = edits._find(src, first)
        if pos is None:
            continue
        fixes = edits._splice(src, pos.start, pos.end, "-1")
        if fixes:
            yield Candidate(tuple(fixes), "batch_in_view", "data", site,
                            f"{ev.name}(-1, …): the batch axis inferred, so the last, smaller batch fits too", 4.5)
        return


# -- a pooling window fixed for one input size --------------------------------------------------

def global_pool(ctx: Context, site: Site):
    """A fixed pooling window that leaves a map larger than 1×1 before a flatten that wants one
    value per channel (rows of C features): global (adaptive) pooling, whatever the input size."""
    ev = ctx.ev
    if not _first_call(ctx, site) or ev is None:
        return
    trace = ctx.crash.trace
    for meta in ev.activations:
        flat = None
        for depth, step in _walk(trace, meta):
            if step.name in ("view", "reshape", "flatten") and step.activations and len(step.activations[0].shape) == 4:
                flat = step
                continue
            if flat is None or not step.name.startswith(("avg_pool", "max_pool")) or not step.outputs:
                continue
            x, out = step.activations[0].shape, step.outputs[0].shape
            channels = out[1]
            rows = [a for a in flat.args[1:] if isinstance(a, int) and a > 0]
            if len(out) != 4 or out[2] * out[3] <= 1 or channels not in rows or step.where is None:
                break
            if step.module_type.startswith(("AvgPool", "MaxPool")):
                yield from _adaptive_module(ctx, step, depth)
            else:
                yield from _adaptive_functional(step, depth, x, out)
            return


def _adaptive_functional(step, depth, x, out):
    src = edits.load(step.where.file)
    for call in edits.calls_covering(src, step.where.line, step.name) if src else []:
        if not call.node.args:
            continue
        head = edits.func_name(call.node)[: -len(step.name)]
        arg = src.code(call.node.args[0].value).strip()
        fixes = edits._splice(src, call.start, call.end, f"{head}adaptive_{step.name}({arg}, 1)")
        if fixes:
            site = Site("call", step.where.file, step.where.line, f"pools {fmt_shape(x)} to {fmt_shape(out)} with a "
                        f"fixed window", event=step, depth=depth)
            yield Candidate(tuple(fixes), "global_pool", "layer", site,
                            f"adaptive_{step.name}(…, 1): the fixed window leaves {out[2]}×{out[3]} values per channel "
                            f"on this input, and the flatten after it wants one", 6.5)
        return


def _adaptive_module(ctx: Context, step, depth):
    module = ctx.crash.watcher.module(step.module) if step.module else None
    made = ctx.crash.watcher.site(module) if module is not None else None
    mtype = step.module_type
    if made is None or not mtype.startswith(("AvgPool", "MaxPool")):
        return
    kind = "Max" if mtype.startswith("Max") else "Avg"
    prefix = "nn." if "nn." + mtype in edits.line_of(made.file, made.line) else ""
    fixes = edits.replace_call(made.file, made.line, (mtype,), f"{prefix}Adaptive{kind}Pool{mtype[-2:]}(1)")
    if fixes:
        site = Site("ctor", made.file, made.line, f"builds {step.module} ({mtype}) with a fixed window",
                    module=module, depth=depth)
        yield Candidate(tuple(fixes), "global_pool", "layer", site,
                        f"Adaptive{kind}Pool{mtype[-2:]}(1): one value per channel whatever the input size", 6.5)


# -- a flag that makes the data at another resolution than the model's output -----------------

def data_flag(ctx: Context, site: Site):
    """A loss whose prediction is at the model input's resolution and whose target is not: a
    boolean keyword where the dataset's helpers are built (``enc=True`` in a label transform)
    picks the target's resolution; flip it."""
    ev = ctx.ev
    if not _first_call(ctx, site) or ev is None or len(ev.activations) < 2:
        return
    x, y = tuple(ev.activations[0].shape), tuple(ev.activations[1].shape)
    if len(x) < 3 or len(y) < 2 or x[-2:] == y[-2:] or x[-2:] not in _input_sides(ctx):
        return
    outer = ctx.crash.stack[0] if ctx.crash.stack else None
    if outer is None:
        return
    import ast
    src = edits.load(outer.file)
    try:
        tree = ast.parse("\n".join(src.lines)) if src is not None else None
    except SyntaxError:
        return
    objs = _dataset_objects(ctx)
    names = {k for k, v in _outer_globals(ctx, outer.file).items() if any(v is o for o in objs)}
    for node in ast.walk(tree) if tree is not None else ():
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and any(
                isinstance(t, ast.Name) and t.id in names for t in node.targets)):
            continue
        for kw in node.value.keywords:
            if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
                fixes = _flip(outer.file, kw.value.lineno, kw.arg, kw.value.value)
                if fixes:
                    where = Site("constant", outer.file, kw.value.lineno,
                                 f"sets {kw.arg}={kw.value.value} where the dataset's {ast.unparse(node.value.func)} is built",
                                 value=kw.value.value, text=f"{kw.arg}={kw.value.value}", depth=3)
                    yield Candidate(tuple(fixes), "data_flag", "data", where,
                                    f"{kw.arg}={not kw.value.value}: the prediction {fmt_shape(x)} is at the input's "
                                    f"resolution, the target {fmt_shape(y)} is not, and this flag of the data "
                                    f"pipeline picks the target's", 6.0)


def _input_sides(ctx: Context) -> set[tuple]:
    return {tuple(c.inputs[0].shape[-2:]) for c in ctx.crash.trace.modules
            if c.depth == 0 and c.inputs and len(c.inputs[0].shape) >= 3}


def _dataset_objects(ctx: Context) -> list:
    """The datasets of the loaders that ran, and the plain objects they hold (transforms)."""
    out = []
    for info in ctx.crash.watcher.loaders:
        loader = info.loader() if info.iterated else None
        ds = getattr(loader, "dataset", None)
        if ds is None:
            continue
        out.append(ds)
        for v in list(getattr(ds, "__dict__", {}).values()):
            if hasattr(v, "__dict__") and not isinstance(v, (torch.Tensor, torch.nn.Module, type)):
                out.append(v)
    return out


def _outer_globals(ctx: Context, file: str) -> dict:
    tb = ctx.crash.exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == file:
            return tb.tb_frame.f_globals
        tb = tb.tb_next
    return {}


def _flip(file: str, line: int, name: str, value: bool):
    from ..findings import Fix
    text = edits.line_of(file, line)
    pattern = re.compile(rf"\b{re.escape(name)}\s*=\s*{value}\b")
    if len(pattern.findall(text)) != 1:
        return None
    new = pattern.sub(f"{name}={not value}", text)
    src = edits.load(file)
    fixes = [Fix(file, line, text, new)]
    return fixes if src is not None and edits.parses(src, fixes) else None


DEFAULTS = [
    Template("eval_mode", "layer", ("call",), eval_mode),
    Template("squeeze_ate_batch", "data", ("call",), squeeze_ate_batch),
    Template("partial_batch_loader", "loader", ("call",), partial_batch_loader),
    Template("batch_in_view", "data", ("call",), batch_in_view),
    Template("global_pool", "layer", ("call",), global_pool),
    Template("data_flag", "data", ("call",), data_flag),
]
