"""Edit templates for sizes stored in the program that the data contradicts: a state tensor
built with the batch size of the constructor, a stored batch size passed along."""
from __future__ import annotations

from ..edit import edits
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


def _frame_at(crash, site: Site):
    tb = crash.exc.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == site.file and tb.tb_lineno == site.line:
            found = tb.tb_frame
        tb = tb.tb_next
    return found


def _tensors_with(scope: dict, size: int, exclude: int):
    out = []
    for k, v in list(scope.items()):
        shape = getattr(v, "shape", None) if hasattr(v, "dtype") else None
        if k == "self" or shape is None or not hasattr(v, "dtype") or len(shape) < 2:
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
                yield Candidate(tuple(fixes), "argument_from_data", "data", site,
                                f"{site.text} → {new}: this batch holds {want}, not the stored {got}", 6.0)


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
    tb = crash.exc.__traceback__
    found = None
    while tb is not None:
        f = tb.tb_frame
        if f.f_code.co_filename == site.file and site.line in {ln for _, _, ln in f.f_code.co_lines() if ln}:
            found = f
        tb = tb.tb_next
    return found
