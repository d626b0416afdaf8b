"""Candidates from axis provenance: the silent checks, run over the crashing trace.

A crash is often the first op to notice an axis that went wrong several lines before: a view
that folded the batch into the features, a permute that moved nothing, an RNN that reads the
batch as time. The silent checks (provenance/) find exactly those, from what each axis *is*;
here they run over the trace recorded up to the crash, and each finding with a fix on a line of
the failing op's slice becomes a candidate, validated by re-running like every other one. The
finding's message says why its line is the root cause (the provenance of the axis).
"""
from __future__ import annotations

import dataclasses
import os

from .candidate import Candidate, Context
from .sites import Site

# a provenance finding on the slice names what is wrong with an axis: tried early, just after
# the rules' own answer
PRIOR = 7.0


def candidates(ctx: Context) -> list[Candidate]:
    try:
        from ..provenance.silent import Context as Provenance, silent_findings
        provenance = Provenance(ctx.crash.watcher, ctx.crash.watcher.trace)
        found = silent_findings(ctx.crash.watcher, provenance)
        amap = provenance.amap
    except Exception:  # noqa: BLE001 - provenance that cannot be built adds no candidate
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        return []
    try:
        views = list(batch_kept_views(ctx, amap))
    except Exception:  # noqa: BLE001
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        views = []
    on_slice = {(s.file, s.line): s for s in ctx.sites if s.kind in ("operand", "call", "ctor")}
    out = []
    for f in found:
        if not f.fixes or f.severity not in ("warning", "error"):
            continue
        site = on_slice.get((f.file, f.line)) or next(
            (on_slice[(fx.file, fx.line)] for fx in f.fixes if (fx.file, fx.line) in on_slice), None)
        if site is None and ctx.ev is None:
            # the error came before any op (an unpack, a check in Python): no slice to hold it
            # to, so every finding is a candidate, and the re-run decides
            site = Site("operand", f.file, f.line, f"provenance: {f.category}", depth=2)
        if site is None:
            continue
        kind = "layer" if site.kind == "ctor" else "data"
        # what the silent check calls a warning is, here, the cause of the crash
        f = dataclasses.replace(f, severity="error")
        out.append(Candidate(tuple(f.fixes), "provenance", kind, site, f.message, PRIOR, findings=[f]))
    return _same_edits(out) + out + views


def _same_edits(cands: list[Candidate]) -> list[Candidate]:
    """One candidate for findings of one kind whose fixes make the same change on several lines
    (``p1 = ….squeeze()`` and ``p2 = ….squeeze()``): one edit, written where each line needs it."""
    from .templates_origin import changed_text
    groups: dict[tuple, list[Candidate]] = {}
    for c in cands:
        if len(c.fixes) == 1:
            groups.setdefault((c.findings[0].category, changed_text(c.fixes[0].old, c.fixes[0].new)), []).append(c)
    out = []
    for group in groups.values():
        if len(group) > 1 and len({c.fixes[0].line for c in group}) == len(group):
            both = Candidate(tuple(c.fixes[0] for c in group), "provenance", group[0].kind, group[0].site,
                             group[0].detail, PRIOR + 0.2, findings=[f for c in group for f in c.findings])
            both.same_edit = True
            out.append(both)
    return out


# roles a batch may share an axis with: rows of (sample, step) pairs are still per-sample data
_ROW_ROLES = {"batch", "time", "unit", "new", "reduced", "?"}


def batch_kept_views(ctx: Context, amap):
    """A view/reshape on the failing op's slice that folded the batch axis into another axis
    (``[B, E].view(1, 1, -1)`` → ``[1, 1, B·E]``): the same view with the batch kept on an axis of
    its own, in place of a unit axis the view wrote (``view(1, B, -1)``)."""
    from ..edit import edits
    from .sites import _walk
    ev = ctx.ev
    if ev is None:
        return
    seen = set()
    for meta in ev.activations:
        for depth, step in _walk(ctx.crash.trace, meta):
            if step.index in seen or step.where is None or step.name.split(".")[-1] not in ("view", "reshape"):
                continue
            seen.add(step.index)
            ins, outs = amap.input_roles(step.index, 0), amap.roles(step.index)
            k = next((i for i, a in enumerate(ins) if a.role == "batch" and a.size > 1), None)
            j = next((i for i, a in enumerate(outs) if a.has_batch and not a.mixed
                      and {p.role for p in a.parts if p.size > 1} - _ROW_ROLES), None)
            if k is None or j is None:
                continue
            b = ins[k].size
            src = edits.load(step.where.file, step.where.line)
            call = next(iter(edits.calls_covering(src, step.where.line, "view", "reshape")), None) if src else None
            if call is None or len(call.node.args) != len(outs) or any(a.star or a.keyword for a in call.node.args):
                continue
            args = [src.code(a.value).strip() for a in call.node.args]
            recv = src.code(call.node.func.value).strip()
            size = _size_text(ctx, step, recv, k, b)
            if args[j] == "-1":
                merged = "-1"
            elif args[j].isdigit() and int(args[j]) % b == 0:
                merged = str(int(args[j]) // b)
            else:
                continue
            for u, a in enumerate(outs):
                if u == j or args[u] != "1":
                    continue
                new = list(args)
                new[u], new[j] = size, merged
                fixes = edits.replace_in_call_args(step.where.file, step.where.line, ("view", "reshape"), ", ".join(new))
                if not fixes:
                    continue
                site = Site("operand", step.where.file, step.where.line, f"its {step.name} folds the batch into an axis",
                            event=step, meta=step.outputs[0] if step.outputs else None, depth=depth)
                detail = (f"{step.name}({', '.join(args)}) turns {_shape(step.inputs[0])} into {_shape(step.outputs[0])}: "
                          f"axis {j} holds the {b} samples of the batch times {outs[j].size // b} values each, so "
                          f"samples are mixed in one axis; keep the batch on its own axis: {step.name}({', '.join(new)})")
                yield Candidate(tuple(fixes), "batch_kept_view", "data", site, detail, PRIOR)


def _shape(meta) -> str:
    from ...shapes import fmt_shape
    return fmt_shape(meta.shape)


def _size_text(ctx: Context, step, recv: str, k: int, b: int) -> str:
    """How to write the batch size at the view: ``x.size(0)`` of a tensor the frame already holds
    (the view's receiver unless it is a call, which must not run twice)."""
    import ast
    try:
        tree = ast.parse(recv, mode="eval").body
    except SyntaxError:
        tree = None
    if tree is not None and not any(isinstance(n, ast.Call) for n in ast.walk(tree)):
        return f"{recv}.size({k})"
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)] if tree is not None else []
    for loc in reversed(ctx.crash.tb_locals or []):
        for name in names:
            v = loc.get(name)
            shape = getattr(v, "shape", None)
            if shape is not None and b in tuple(shape):
                return f"{name}.size({tuple(shape).index(b)})"
    return f"{recv}.size({k})"
