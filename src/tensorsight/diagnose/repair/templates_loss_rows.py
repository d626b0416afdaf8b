"""Candidate edits for a loss that takes rows (``[N, D]``) given a feature map (``[N, D, T]``).

``1D target tensor expects 2D input tensors, but found inputs with sizes [46, 16, 50]``: pairwise
losses (cosine embedding, margin ranking, pairwise distance) compare rows. Every leading axis
becomes a row with ``.flatten(0, -2)``; when the script calls the same loss on several outputs
(one per head or modality) the same edit is written on each of those calls.
"""
from __future__ import annotations

import ast

from ..edit import edits
from .candidate import Candidate, Context
from .origin_values import tree_of
from .sites import Site

PRIOR = 6.0


def flatten_rows(ctx: Context, site: Site):
    ev = ctx.ev
    if ev is None or site.wrap is None or site.operand != 0 or "2D input" not in ctx.crash.msg:
        return
    ranks = [len(t.shape) for t in ev.activations[:2]]
    if len(ranks) < 2 or min(ranks) < 3:
        return
    names = site.wrap[0]
    lines = [site.line] + _sibling_calls(site.file, site.line, names[0])
    fixes = []
    for line in lines:
        one = _wrap_both(site.file, line, names)
        if one:
            fixes.extend(one)
    if not fixes:
        return
    shape = list(ev.activations[0].shape)
    rows = 1
    for d in shape[:-1]:
        rows *= d
    detail = (f"{ev.name} compares rows, but got {shape}: flatten(0, -2) makes it [{rows}, {shape[-1]}], one row "
              f"per position" + (f" (the same on the {len(lines)} calls of {names[0]})" if len(lines) > 1 else ""))
    c = Candidate(tuple(fixes), "flatten_rows", "data", site, detail, PRIOR)
    c.same_edit = True
    yield c


def _wrap_both(path: str, line: int, names: tuple[str, ...]):
    """Both arguments wrapped: two insertions into the one line, merged."""
    from ..findings import Fix
    first = edits.wrap_arg(path, line, names, 0, "{}.flatten(0, -2)")
    second = edits.wrap_arg(path, line, names, 1, "{}.flatten(0, -2)")
    if not first or not second or len(first) != 1 or len(second) != 1:
        return first or second
    old = first[0].old
    inserts = sorted(_insertion(old, f.new) for f in (first[0], second[0]))
    if any(i is None for i in inserts):
        return first
    new = old
    for at, text in reversed(inserts):
        new = new[:at] + text + new[at:]
    fixes = [Fix(path, line, old, new)]
    return fixes if edits.parses(edits.load(path), fixes) else first


def _insertion(old: str, new: str):
    """(position, text) when ``new`` is ``old`` with one piece of text inserted."""
    i = 0
    while i < len(old) and old[i] == new[i]:
        i += 1
    text = new[i:i + len(new) - len(old)]
    return (i, text) if old[:i] + text + old[i:] == new else None


def _sibling_calls(path: str, line: int, name: str) -> list[int]:
    """Other lines of the same function (or module body) that call ``name`` the same way."""
    tree = tree_of(path)
    if tree is None:
        return []
    scope = tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= line <= (node.end_lineno or 0):
            scope = node
    out = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and node.lineno != line and len(node.args) >= 2 \
                and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name):
            if node.lineno not in out:
                out.append(node.lineno)
    return sorted(out)
