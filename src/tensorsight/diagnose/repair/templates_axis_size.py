"""Candidate edits of a size read from the wrong axis: ``q.size(2)`` where ``q.size(-2)`` was meant.

A size the code reads off a tensor (``x.size(k)``, ``x.shape[k]``) and then builds with
(a mask, a hidden state, a view) carries the error's wrong number when ``k`` names the wrong
axis; the right number is on another axis of the same tensor. The frames of the traceback hold
those tensors, so each read in a frame's function, before the line that raised, whose value is
the size the error calls wrong and whose tensor has the wanted size on exactly one other axis,
gives one candidate: the same read, of that axis.
"""
from __future__ import annotations

import ast
import os

from ..edit import edits
from ..findings import Fix
from .candidate import Candidate, Context
from .origin_values import tree_of
from .sites import Site, _is_user

PRIOR = 6.5


def candidates(ctx: Context) -> list[Candidate]:
    try:
        return list(_candidates(ctx))
    except Exception:  # noqa: BLE001 - a frame we cannot read adds no candidate
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        return []


def _candidates(ctx: Context):
    single = list(_single(ctx))
    # reads of one axis, each moved to the same other axis (``q.size(2)``, ``k.size(2)`` for a
    # [q, k] mask): one edit written on several lines, tried first
    by_move = {}
    for c, move in single:
        by_move.setdefault(move, []).append(c)
    for move, group in by_move.items():
        lines = {f.line for c in group for f in c.fixes}
        if len(group) > 1 and len(lines) == len(group):
            fixes = tuple(f for c in group for f in c.fixes)
            both = Candidate(fixes, "size_axis", "data", group[0].site,
                             group[0].detail + f" (the same read on {len(group)} lines)", PRIOR + 0.2)
            both.same_edit = True
            yield both
    for c, _ in single:
        yield c


# ops whose numbers are sizes: a size read that reaches the failing op goes through one of these
SHAPE_MAKERS = {"ones", "zeros", "empty", "full", "rand", "randn", "randint", "arange", "view", "reshape",
                "expand", "repeat", "new_zeros", "new_ones", "new_full", "new_empty", "interpolate", "narrow",
                "unflatten", "eye", "tril", "triu", "ones_like", "zeros_like"}


def _sizing_lines(ctx: Context) -> dict[tuple[str, int], set[int]]:
    """(file, line) → sizes in the outputs of the ops on that line, of the failing op's slice,
    that are made from numbers (factories, views, expands)."""
    from .sites import _walk
    out: dict[tuple[str, int], set[int]] = {}
    for meta in ctx.ev.activations if ctx.ev is not None else ():
        for _, step in _walk(ctx.crash.trace, meta):
            if step.where is None or step.name.split(".")[-1] not in SHAPE_MAKERS:
                continue
            for fr in [step.where, *step.stack]:
                sizes = out.setdefault((fr.file, fr.line), set())
                for t in step.outputs:
                    sizes.update(d for d in t.shape if isinstance(d, int))
    return out


def _reaches(tree_fn, node, sizing: dict, path: str, got: int) -> bool:
    """Whether the read at ``node`` sizes an op of the slice: on its own line, or through the
    name it is assigned to."""
    if got in sizing.get((path, node.lineno), ()):
        return True
    names = set()
    for st in ast.walk(tree_fn):
        if isinstance(st, ast.Assign) and st.lineno <= node.lineno <= st.end_lineno:
            names |= {t.id for t in ast.walk(st) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    return any(isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)
               and got in sizing.get((path, n.lineno), ()) for n in ast.walk(tree_fn))


def _single(ctx: Context):
    sizing = _sizing_lines(ctx)
    wrong = {}
    for want, got in ctx.pairs:
        if want != got:
            wrong.setdefault(got, set()).add(want)
    if not wrong:
        return
    tb = ctx.crash.exc.__traceback__
    seen = set()
    while tb is not None:
        frame, lineno = tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next
        path = frame.f_code.co_filename
        if frame.f_code.co_name == "<module>" or not _is_user(path):
            continue    # torch's own frames: never parsed (their files are large) nor edited
        src = edits.load(path)
        if src is None:
            continue
        for fn, node, name, axis, rank in _size_reads(src, frame.f_code.co_firstlineno, lineno):
            shape = tuple(getattr(frame.f_locals.get(name), "shape", ()) or ())
            if not shape or not -len(shape) <= axis < len(shape):
                continue
            got = shape[axis]
            on_failing = ctx.ev is not None and ctx.ev.where is not None \
                and (ctx.ev.where.file, ctx.ev.where.line) == (path, node.lineno)
            if got not in wrong or not (on_failing or _reaches(fn, node, sizing, path, got)):
                continue
            for want in wrong.get(got, ()):
                others = [i for i, d in enumerate(shape) if d == want and i != axis % len(shape)]
                if len(others) != 1:
                    continue
                new_axis = others[0] - len(shape) if axis < 0 or rank == "neg" else others[0]
                key = (path, node.lineno, node.col_offset)
                if key in seen:
                    continue
                seen.add(key)
                line = src.lines[node.lineno - 1]
                raw = line.encode()
                new = (raw[:node.col_offset] + str(new_axis).encode() + raw[node.end_col_offset:]).decode()
                fixes = [Fix(path, node.lineno, line, new)]
                if not edits.parses(src, fixes):
                    continue
                site = Site("operand", path, node.lineno, f"reads the size {got} off axis {axis} of {name}",
                            value=got, depth=2)
                detail = (f"{name} is {list(shape)}: axis {axis} is {got}, the size the error calls wrong, and the "
                          f"{want} it needs is axis {new_axis}: read that axis")
                yield Candidate(tuple(fixes), "size_axis", "data", site, detail, PRIOR), \
                    (frame.f_code, got, axis % len(shape), others[0], len(shape))


def _size_reads(src, first_line: int, last_line: int):
    """(axis constant node, tensor name, axis, 'neg'|'pos') of each ``name.size(k)`` /
    ``name.shape[k]`` in the function starting at ``first_line``, above ``last_line``."""
    tree = tree_of(src.path)
    if tree is None:
        return
    fn = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
               and (n.lineno == first_line or any(d.lineno == first_line for d in n.decorator_list))), None)
    if fn is None:
        return
    for n in ast.walk(fn):
        if getattr(n, "lineno", last_line + 1) > last_line:
            continue
        k = None
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "size" \
                and isinstance(n.func.value, ast.Name) and len(n.args) == 1 and not n.keywords:
            name, k = n.func.value.id, n.args[0]
        elif isinstance(n, ast.Subscript) and isinstance(n.value, ast.Attribute) and n.value.attr == "shape" \
                and isinstance(n.value.value, ast.Name):
            name, k = n.value.value.id, n.slice
        if k is None:
            continue
        neg = isinstance(k, ast.UnaryOp) and isinstance(k.op, ast.USub) and isinstance(k.operand, ast.Constant)
        if neg and isinstance(k.operand.value, int):
            yield fn, k, name, -k.operand.value, "neg"
        elif isinstance(k, ast.Constant) and isinstance(k.value, int) and not isinstance(k.value, bool):
            yield fn, k, name, k.value, "pos"
