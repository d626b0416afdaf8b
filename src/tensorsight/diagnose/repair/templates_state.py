"""Edit template for state built by a helper from a stored size: ``init_hidden(self, batch=None)``
falls back to ``self.batch_size`` when the loop does not say otherwise, and the last, smaller
batch then meets a state of the full size. The helper already has the parameter; the fix is to
pass the data's size where the loop calls it (``model.init_hidden(len(label))``).

The state tensor is found from the failing op's operands (or, for a check that raised before
any op, from the tensors torch's frames hold): the Trace says which factory call made it, the
source says which function that call is in and which of its parameters have defaults, and the
frames on the crash stack hold the tensors of the batch that failed.
"""
from __future__ import annotations

import ast

from ..edit import edits
from ..findings import Fix
from .candidate import Candidate, Context
from .origin_values import _enclosing, tree_of
from .sites import Site
from .templates_sizes import _FACTORIES, _tensors_with, library_scopes, tb_frames

PRIOR = 6.0


def size_argument_at_call(ctx: Context, site: Site):
    if site.kind != "call" or site.depth != 0:
        return
    trace, watcher = ctx.crash.trace, ctx.crash.watcher
    seen: set = set()
    for meta in _state_metas(ctx):
        ev = trace.events[meta.producer] if meta.producer is not None else None
        if ev is None or ev.where is None or ev.name.rsplit(".", 1)[-1] not in _FACTORIES:
            continue
        sizes = [a for a in ev.args if isinstance(a, int)] + [a for t in ev.args if isinstance(t, (list, tuple))
                                                            for a in t if isinstance(a, int)]
        for want, got in ctx.pairs:
            if got not in sizes or (ev.where.file, ev.where.line, want) in seen:
                continue
            seen.add((ev.where.file, ev.where.line, want))
            yield from _at_calls(ctx, ev.where.file, ev.where.line, want, got)


def _state_metas(ctx: Context):
    rec = ctx.crash.watcher.recorder
    if ctx.ev is not None:
        yield from ctx.ev.activations
        return
    for scope in library_scopes(ctx.crash.exc):
        for v in scope.values():
            if hasattr(v, "shape") and hasattr(v, "dtype"):
                yield rec.meta(v)


def _at_calls(ctx: Context, file: str, line: int, want: int, got: int):
    src, tree = edits.load(file), tree_of(file)
    if src is None or tree is None:
        return
    func, _ = _enclosing(tree, line)   # the innermost function that makes the state
    if func is None:
        return
    args = func.args
    with_default = args.args[len(args.args) - len(args.defaults):] if args.defaults else []
    params = [a.arg for a in with_default + [a for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]]
    used = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
    params = [p for p in params if p in used and p != "self"]
    if not params:
        return
    # the loop that calls the helper runs in a frame of the crash stack: its locals hold the batch
    for fr, _ in tb_frames(ctx.crash.exc):
        if fr.f_code.co_filename != file:
            continue
        lines = {ln for _, _, ln in fr.f_code.co_lines() if ln}
        for call in src.calls:
            if call.start[0] not in lines or call.start[0] != call.end[0]:
                continue
            name = edits.func_name(call.node).rsplit(".", 1)[-1]
            if name != func.name or call.node.args:
                continue   # called with arguments already: the caller chose its sizes
            for tname, axis in _tensors_with(fr.f_locals, want, exclude=got):
                for p in params:
                    text = src.text(call)
                    new_call = text[:-1] + f"{p}={tname}.size({axis}))"
                    fixes = edits._splice(src, call.start, call.end, new_call)
                    if fixes and edits.parses(src, fixes):
                        at = Site("call", file, call.start[0], f"calls {func.name}, which builds the state", depth=1)
                        yield Candidate(tuple(fixes), "size_argument_at_call", "data", at,
                                        f"{func.name}() leaves {p} at its default and builds the state with "
                                        f"the stored {got}; this batch holds {want}: {new_call}", PRIOR)
