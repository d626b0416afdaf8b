"""Edit templates for sizes stored in the program that the data contradicts: a state tensor
built with the batch size of the constructor, a stored batch size passed along."""
from __future__ import annotations

from ..edit import edits
from ..edit.origin import ancestors
from .candidate import Candidate, Context
from .sites import Site


_FACTORIES = ("zeros", "ones", "randn", "rand", "empty", "full", "zeros_like", "randint", "arange")


def size_from_data(ctx: Context, site: Site):
    """A tensor made with a stored size (``torch.zeros(1, self.batch_size, H)``) that the data
    contradicts: take the size from the tensor in scope that has it (``input.size(1)``); a twin
    line beside it (``c_0`` next to ``h_0``) gets the same edit. Looked for in the function
    that raised (the failing check may run before any op is recorded)."""
    if site.kind != "call" or site.depth != 0:
        return
    frame = _frame_at(ctx.crash, site)
    src = edits.load(site.file)
    if frame is None or src is None:
        return
    import ast as pyast
    from .sites import safe_eval
    env = dict(frame.f_globals)
    env.update(frame.f_locals)
    lines = sorted({ln for _, _, ln in frame.f_code.co_lines() if ln})
    seen = set()
    for line in lines:
        for call in edits.calls_at(src, line, *_FACTORIES):
            for arg in call.node.args:
                text = src.code(arg.value).strip()
                if text.isdigit() or text in seen:
                    continue
                try:
                    value = safe_eval(pyast.parse(text, mode="eval").body, env)
                except SyntaxError:
                    continue
                for want, got in ctx.pairs:
                    if value != got:
                        continue
                    for name, axis in _tensors_with(frame.f_locals, want, exclude=got):
                        new = f"{name}.size({axis})"
                        fixes = _same_edit_nearby(src, line, site.file, text, new)
                        if fixes:
                            seen.add(text)
                            c = Candidate(tuple(fixes), "size_from_data", "data", site,
                                          f"{text} → {new}: the size {want} comes with the data ({got} was stored "
                                          f"when the model was built)", 6.0)
                            c.same_edit = True
                            yield c


def tb_frames(exc) -> list:
    """The traceback's frames, outermost first."""
    frames, tb = [], exc.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _frame_at(crash, site: Site):
    hits = [f for f, line in tb_frames(crash.exc) if f.f_code.co_filename == site.file and line == site.line]
    return hits[-1] if hits else None


def _tensors_with(scope: dict, size: int, exclude: int):
    out = []
    for k, v in list(scope.items()):
        shape = getattr(v, "shape", None) if hasattr(v, "dtype") else None
        # a tensor or an array: ``numpy`` itself has a ``shape`` (a function) and a ``dtype``
        if k == "self" or not isinstance(shape, tuple) or len(shape) < 2:
            continue
        for axis, d in enumerate(shape):
            if d == size and exclude not in tuple(shape):
                out.append((k, axis))
                break
    return out[:2]


def _same_edit_nearby(src, at: int, file: str, text: str, new: str):
    from ..findings import Fix
    fixes = []
    for line in range(max(1, at - 3), min(len(src.lines), at + 3) + 1):
        old = src.lines[line - 1]
        if text in old and any(f"{name}(" in old for name in _FACTORIES) and old.count(text) == 1:
            fixes.append(Fix(file, line, old, old.replace(text, new)))
    return fixes if fixes and edits.parses(src, fixes) else None


def argument_from_data(ctx: Context, site: Site):
    """A stored size passed along (``model(x, grid, val_batch_size)``) where the data in scope
    has another: pass the data's own size (``labels.size(0)``)."""
    if site.kind != "constant" or not site.text or site.text.isdigit():
        return
    frame = _frame_running(ctx.crash, site)
    if frame is None:
        return
    for want, got in ctx.pairs:
        if site.value != got:
            continue
        for name, axis in _tensors_with(frame.f_locals, want, exclude=got):
            if not bound_before(site.file, name, site.line):
                continue
            new = f"{name}.size({axis})"
            line = edits.line_of(site.file, site.line)
            if line.count(site.text) != 1:
                continue
            from ..findings import Fix
            fixes = [Fix(site.file, site.line, line, line.replace(site.text, new))]
            src = edits.load(site.file)
            if src is not None and edits.parses(src, fixes):
                # the size of the data that reaches the failing op, rather than of a tensor that
                # merely has that size (the training split, when evaluation failed)
                feeds = feeds_failing_op(ctx, frame.f_locals[name])
                yield Candidate(tuple(fixes), "argument_from_data", "data", site,
                                f"{site.text} → {new}: this batch holds {want}, not the stored {got}",
                                6.0 if feeds is not False else 5.0)


def feeds_failing_op(ctx: Context, t) -> bool | None:
    """Whether tensor ``t`` is upstream of the failing op in the Trace (None: not known)."""
    rec = getattr(ctx.crash.watcher, "recorder", None)
    if rec is None:
        return None

    def made_by(x):
        return rec.meta(x).producer   # the event that made x, if the recorder saw it
    if made_by(t) is None:
        return None
    if not hasattr(ctx, "_upstream"):
        if ctx.ev is not None:
            seeds = list(ctx.ev.inputs)
        else:  # a check that raised before any op (an RNN's state): what torch's frames hold
            seeds = [rec.meta(v) for scope in library_scopes(ctx.crash.exc) for v in scope.values()
                     if hasattr(v, "dtype") and hasattr(v, "shape")]
        ctx._upstream = {e.index for m in seeds for e in ancestors(ctx.crash.trace, m)}
    made = made_by(t)
    if made in ctx._upstream:
        return True
    # a watched run records a repeated op once, so the last batch's ops may stand on the first
    # batch's events: the same op at the same line, making this shape but for the batch, counts
    ev = ctx.crash.trace.events[made]
    shape = tuple(t.shape)[1:]
    return any(_op_line(u) == _op_line(ev) and u.outputs and tuple(u.outputs[0].shape)[1:] == shape
               for u in (ctx.crash.trace.events[i] for i in ctx._upstream))


def _op_line(ev) -> tuple:
    return (ev.name, ev.where.file, ev.where.line) if ev.where is not None else (ev.name, ev.index)


def library_scopes(exc) -> list[dict]:
    """Locals of the traceback's innermost frames that are not the user's (torch's checks)."""
    from ...capture.source import is_user_file
    out = []
    for f, _ in reversed(tb_frames(exc)):
        if is_user_file(f.f_code.co_filename):
            break
        out.append(f.f_locals)
    return out


def bound_before(file: str, name: str, line: int) -> bool:
    """Is ``name`` assigned (or a loop/function variable) on a line before ``line``?"""
    import ast as pyast
    src = edits.load(file)
    if src is None:
        return False
    try:
        tree = pyast.parse("\n".join(src.lines))
    except SyntaxError:
        return False
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Name) and node.id == name and isinstance(node.ctx, pyast.Store) and node.lineno < line:
            return True
        if isinstance(node, pyast.arg) and node.arg == name and node.lineno < line:
            return True
    return False


def _frame_running(crash, site: Site):
    """The traceback frame whose function contains the site's line."""
    hits = [f for f, _ in tb_frames(crash.exc)
            if f.f_code.co_filename == site.file and site.line in {ln for _, _, ln in f.f_code.co_lines() if ln}]
    return hits[-1] if hits else None
