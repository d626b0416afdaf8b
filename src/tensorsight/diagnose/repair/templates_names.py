"""An attribute a constructor assigns twice: the second module replaces the first.

``self.bn4 = BatchNorm2d(128)`` … ``self.bn4 = BatchNorm1d(h)`` in one ``__init__`` leaves one
layer under that name, and every use of ``self.bn4`` gets the later one, including the use the
first was built for. The fix gives the later layer a name of its own and moves one use to it;
which use is left to the re-run (the one after which the script runs clean).
"""
from __future__ import annotations

import ast
import re

from ..edit import edits
from ..findings import Fix
from .candidate import Candidate, Context
from .sites import Site


def reassigned_attribute(ctx: Context, site: Site):
    if site.kind != "ctor":
        return
    src = edits.load(site.file)
    if src is None:
        return
    try:
        tree = ast.parse("\n".join(src.lines))
    except SyntaxError:
        return
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
            if not fn.lineno <= site.line <= (fn.end_lineno or fn.lineno):
                continue
            stores = _self_stores(fn)
            name = next((n for n, lines in stores.items() if site.line in lines and len(lines) > 1), None)
            if name is None or site.line != max(stores[name]):
                continue  # the live assignment is the last one; an earlier one is the dead layer
            yield from _renames(src, site, cls, fn, name)


def _self_stores(fn: ast.FunctionDef) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            t = node.targets[0]
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" \
                    and isinstance(node.value, ast.Call):
                out.setdefault(t.attr, []).append(node.lineno)
    return out


def _renames(src, site: Site, cls: ast.ClassDef, init: ast.FunctionDef, name: str):
    uses = sorted({node.lineno for fn in cls.body if isinstance(fn, ast.FunctionDef) and fn is not init
                   for node in ast.walk(fn) if isinstance(node, ast.Attribute) and node.attr == name
                   and isinstance(node.value, ast.Name) and node.value.id == "self"
                   and isinstance(node.ctx, ast.Load)})
    if len(uses) < 2:
        return  # one use: nothing was built for another place
    text = "\n".join(src.lines)
    fresh = next(f"{name}_{k}" for k in range(2, 100) if not re.search(rf"\b{name}_{k}\b", text))
    pattern = re.compile(rf"\bself\.{re.escape(name)}\b")
    line = src.lines[site.line - 1]
    if len(pattern.findall(line)) != 1:
        return
    first = Fix(site.file, site.line, line, pattern.sub(f"self.{fresh}", line))
    earlier = min(_self_stores(init)[name])
    for use in uses:
        old = src.lines[use - 1]
        if len(pattern.findall(old)) != 1:
            continue
        fixes = [first, Fix(site.file, use, old, pattern.sub(f"self.{fresh}", old))]
        if edits.parses(src, fixes):
            yield Candidate(tuple(fixes), "reassigned_attribute", "layer", site,
                            f"self.{name} is assigned twice in {init.name} (lines {earlier} and {site.line}): "
                            f"the second layer replaces the first, so every use gets it; give it its own "
                            f"name, self.{fresh}, and use it at line {use}", 6.0)
