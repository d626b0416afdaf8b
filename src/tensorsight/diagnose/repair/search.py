"""The repair search: candidate sites → candidate edits → validation by re-running → ranking.

The crash rules are candidate generators too: their findings' fixes form one candidate, which
is validated like any template's. When the script can be re-run (``tensorsight run``), every
fix reported is one after which the script ran clean; when it cannot (``explain()`` in a
notebook), the rules' findings are reported as they are.
"""
from __future__ import annotations

import math
import os
import re
import sys
import time

from ..findings import Finding, Fix
from . import rank, report, sites, templates, templates_origin, validate
from .templates import Candidate, Context

# CPU seconds the whole search may take (re-runs included), the wall-clock limit of one re-run
# (a candidate that sleeps or waits forever), and the most candidates it re-runs
BUDGET_S = float(os.environ.get("TENSORSIGHT_REPAIR_BUDGET", "4"))
RERUN_WALL_S = float(os.environ.get("TENSORSIGHT_RERUN_LIMIT", "15"))
# …and a wall-clock cap on the whole search, for a machine so loaded that CPU time says little
SEARCH_WALL_S = float(os.environ.get("TENSORSIGHT_SEARCH_WALL", "40"))
MAX_RUNS = 14
# the rules were written against real bugs: their fix is tried first, but not trusted blindly
RULE_PRIOR = 7.5
# a second fix that runs and scores within this of the best is named as the alternative
ALT_MARGIN = 2.0
LOG = bool(os.environ.get("TENSORSIGHT_REPAIR_LOG"))
# a candidate whose re-run crashes with a new shape error gets this many follow-up edits tried
FOLLOWUPS = 2

# (wanted, got) sizes in an error message: which group is which, by message family
_PAIRS = [
    (r"to have (\d+) channels, but got (\d+) channels", (1, 2)),
    (r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", (3, 2)),
    (r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)", (2, 1)),
    (r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)", (1, 2)),
    (r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)", (2, 1)),
    (r"Expected (\d+), got (\d+)", (1, 2)),
    (r"Expected (\d+), got (\d+)", (2, 1)),
    (r"input size per channel: \((\d+)\)\. Kernel size: \((\d+)\)", (1, 2)),
    (r"running_mean should contain (\d+) elements not (\d+)", (1, 2)),
    (r"Expected size (\d+) but got size (\d+)", (1, 2)),
    (r"shape '\[.*?\]' is invalid for input of size (\d+)", None),
]
_BOUNDS = re.compile(r"Target (-?\d+) is out of bounds")


def pairs(msg: str, ev, tb_locals=None) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for pattern, groups in _PAIRS:
        m = re.search(pattern, msg)
        if m and groups:
            p = (int(m.group(groups[0])), int(m.group(groups[1])))
            # which side is "wrong" depends on the fix: the layer's size, or the data's
            for q in (p, p[::-1]):
                if q not in out:
                    out.append(q)
    for a, b in _tuple_pairs(msg):
        for p in ((a, b), (b, a)):
            if p not in out:
                out.append(p)
    if "index out of range" in msg and ev is not None and ev.name == "embedding" and len(ev.inputs) > 1:
        high = highest_target(tb_locals, "input")
        if high >= 0:
            out.append((high + 1, int(ev.inputs[1].shape[0])))
    window = _window_pair(msg, ev)
    if window is not None and window not in out:
        out.append(window)
    for p in _view_pairs(msg, tb_locals) + _view_middle_pair(msg, ev):
        if p not in out:
            out.append(p)
    m = _BOUNDS.search(msg)
    classes = _classes(ev, tb_locals) if m else None
    if classes is not None:
        high = max(int(m.group(1)), highest_target(tb_locals))
        out.append((high + 1, classes))
    return out


def _classes(ev, tb_locals) -> int | None:
    """The class count of the scores a classification loss got: from the recorded op, or (a crash
    at a step that ran unrecorded) from the loss's own frame."""
    if ev is not None and ev.inputs and len(ev.inputs[0].shape) > 1:
        return int(ev.inputs[0].shape[1])
    for loc in reversed(tb_locals or []):
        x = loc.get("input")
        if hasattr(x, "dtype") and hasattr(x, "shape") and len(x.shape) > 1:
            return int(x.shape[1])
    return None


_VIEW = re.compile(r"shape '\[([-\d, ]+)\]' is invalid for input of size (\d+)")


def _view_pairs(msg: str, tb_locals):
    """A view/reshape to a stored batch size (``view(batch_size, -1, 16)``): (the first size of a
    tensor the failing code holds, the view's leading size) when that size makes the element
    count divide."""
    m = _VIEW.search(msg)
    if not m or not tb_locals:
        return []
    dims = [int(v) for v in m.group(1).split(",") if v.strip()]
    n = int(m.group(2))
    firsts = set()
    for scope in tb_locals[-4:]:
        for v in list(scope.values()):
            shape = getattr(v, "shape", None) if hasattr(v, "dtype") else None
            if shape is not None and len(shape) >= 2 and isinstance(shape[0], int) and shape[0] > 0:
                firsts.add(int(shape[0]))
    out = []
    r = dims[0] if dims else 0   # the leading size of a view: where a stored batch size goes
    rest = math.prod(d for d in dims[1:] if d > 0)
    if r > 0:
        for b in sorted(firsts):
            if b != r and rest and n % (b * rest) == 0:
                out.append((b, r))
    return out


def _view_middle_pair(msg: str, ev) -> list[tuple[int, int]]:
    """``[2, 255, 16, 16].view(2, 3, 9, 16, 16)``: the dims both ends keep aside, the view wants
    3·9 = 27 values where the tensor has 255 (the layer that makes the 255 is sized for another
    head): (27, 255)."""
    m = _VIEW.search(msg)
    if not m or ev is None or not ev.inputs:
        return []
    dims = [int(v) for v in m.group(1).split(",") if v.strip()]
    shape = [d for d in ev.inputs[0].shape if isinstance(d, int)]
    if -1 in dims or len(shape) != len(ev.inputs[0].shape) or not dims:
        return []
    i, j = templates_origin.common_ends(dims, shape)
    want, got = math.prod(dims[i:len(dims) - j]), math.prod(shape[i:len(shape) - j])
    return [(want, got)] if want > 1 and got > 1 and want != got and i + j > 0 else []


def _window_pair(msg: str, ev):
    """(map width, window) of a pooling op whose window outgrew its input: the size the window
    should not exceed, and the window it got (errors such as "Invalid computed output size: 0"
    name neither)."""
    if ev is None or "pool" not in ev.name or not ev.activations or "output size" not in msg.lower():
        return None
    k = ev.kwargs.get("kernel_size", ev.args[1] if len(ev.args) > 1 else None)
    k = k[-1] if isinstance(k, (tuple, list)) and k else k
    width = ev.activations[0].shape[-1]
    if isinstance(k, int) and isinstance(width, int) and k > width:
        return (width, k)
    return None


def highest_target(tb_locals, name: str = "target") -> int:
    """The largest id among the targets (or ids) the failing op got (-1 when not seen)."""
    for loc in reversed(tb_locals or []):
        t = loc.get(name)
        if t is not None and hasattr(t, "max") and getattr(t, "numel", lambda: 0)():
            try:
                return int(t.max())
            except Exception:  # noqa: BLE001
                return -1
    return -1


_TUPLE = re.compile(r"[\[(]((?:\d+\s*[,x]\s*)+\d+)[\])]")


def _tuple_pairs(msg: str):
    """Sizes that differ between two shapes of one rank named in the message ((1, 4, 32) vs [1, 16, 32];
    [4, 1, 32, 32] vs [4, 1, 64, 64])."""
    shapes = [tuple(int(v) for v in re.split(r"\s*[,x]\s*", m.group(1))) for m in _TUPLE.finditer(msg)]
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            if len(a) == len(b) and a != b:
                # one size that differs, at one dim or at several (both sides of a square map)
                diff = {(x, y) for x, y in zip(a, b) if x != y}
                if len(diff) == 1:
                    yield diff.pop()


def script_of(crash) -> validate.Script | None:
    """The script ``tensorsight run`` is running (None under explain()/watch()/notebooks)."""
    if os.environ.get("TENSORSIGHT_VALIDATING") or not hasattr(os, "fork"):
        return None
    tb = crash.exc.__traceback__
    through_runpy = False
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith("runpy.py") or os.path.basename(code.co_filename) == "runner.py":
            through_runpy = True
        elif through_runpy and tb.tb_frame.f_globals.get("__name__") == "__main__":
            path = code.co_filename
            if os.path.isfile(path) and sys.argv and os.path.realpath(sys.argv[0]) == os.path.realpath(path):
                return validate.Script(path, list(sys.argv[1:]), os.getcwd(), crash.watcher.steps + 3)
            return None
        tb = tb.tb_next
    return None


def rule_candidate(findings: list[Finding], ctx: Context) -> Candidate | None:
    fixes = []
    seen = set()
    for f in findings:
        for fx in f.fixes:
            if (fx.file, fx.line) not in seen:
                seen.add((fx.file, fx.line))
                fixes.append(fx)
    if not fixes:
        return None
    c = Candidate(tuple(fixes), "rule", "rule", None, findings[0].category, RULE_PRIOR, findings=findings)
    # a rule that resizes the failing op's own layer is a layer edit: ranked like one
    for s in ctx.sites:
        if s.kind == "ctor" and s.depth == 0 and (s.file, s.line) == (fixes[0].file, fixes[0].line):
            from .templates_layers import _module_size
            c.kind = "layer"
            c.site = s
            x = ctx.ev.activations[0] if ctx.ev is not None and ctx.ev.activations else None
            name = ctx.ev.name if ctx.ev is not None else ""
            axis = 1 if name.startswith(("conv", "batch_norm", "instance_norm")) else -1
            new = x.shape[axis] if x is not None and len(x.shape) > 1 else None
            c.layer_change = (s.module, "in", _module_size(s.module, "in"), new)
    return c


def repair(crash, rule_findings: list[Finding]) -> list[Finding]:
    """The findings to report for this crash: the best validated fix (and its alternative)."""
    script = script_of(crash)
    ctx = Context(crash, sites.collect(crash), pairs(crash.msg, crash.failing, crash.tb_locals))
    if script is None:
        # nothing to re-run (explain() in a notebook): the rules' answer, with why its line
        report.annotate(rule_findings, ctx)
        return rule_findings
    if LOG:
        for s in ctx.sites:
            print(f"[repair] site {s.kind:8} {os.path.basename(s.file)}:{s.line} d{s.depth} {s.why[:70]}", file=sys.stderr)
    cands: list[Candidate] = []
    rc = rule_candidate(rule_findings, ctx)
    if rc is not None:
        cands.append(rc)
    same = {_key(rc)} if rc is not None else set()
    from . import templates_axis_size, templates_provenance
    for c in templates_provenance.candidates(ctx) + templates_axis_size.candidates(ctx) + templates.generate(ctx):
        if _key(c) not in same:
            same.add(_key(c))
            cands.append(c)
    # a number written over names is also tried where the names get their value (that edit,
    # when a template made it too, is then the origin's: its chain and its rank)
    lifted = templates_origin.lift(ctx, cands)
    keys = {_key(c) for c in lifted}
    cands = [c for c in cands if _key(c) not in keys] + lifted
    if not cands:
        return rule_findings
    if LOG:
        for c in sorted(cands, key=lambda k: -k.prior):
            print(f"[repair] candidate {c.template:18} prior {c.prior:4.1f} {[f.new.strip() for f in c.fixes]}",
                  file=sys.stderr)
    tried = run_search(script, cands, ctx)
    ranked = rank.best(tried, ctx)
    if LOG:
        for c in ranked:
            print(f"[repair] ranked {rank.score(c, ctx):5.1f} {c.template:18} agreement {rank.agreement(c, ctx):4.1f} "
                  f"{[f.new.strip() for f in c.fixes]}", file=sys.stderr)
    if not ranked:
        if rc is None or rc.outcome is None or rc.outcome.status == "timeout":
            return rule_findings
        if _broken(rc.outcome, crash, rc):
            # the rule's edit breaks the script or changes nothing: say what is wrong, no fix
            for f in rule_findings:
                f.fixes = []
                f.message += " (no fix offered: the re-run with the obvious edit still fails)"
            return rule_findings
        return [_unverified(f) for f in rule_findings]
    top = ranked[0]
    alt = next((c for c in ranked[1:] if not (c.lines & top.lines) and rank.score(c, ctx) > rank.score(top, ctx) - ALT_MARGIN),
               None)
    found = report.findings_for(top, alt, ctx)
    # with this fix the re-run reported nothing: the run's other warnings are this bug's too
    ctx.crash.watcher.crash_fix_clean = bool(top.outcome is not None and top.outcome.clean)
    return found + report.crash_line(ctx, found, rule_findings)


def _key(c: Candidate) -> tuple:
    return tuple(sorted((f.file, f.line, f.new) for f in c.fixes))


def run_search(script: validate.Script, cands: list[Candidate], ctx: Context) -> list[Candidate]:
    """Validate the rules' own fixes first, then best-first by the score a clean re-run would
    give (prior, edits and agreement with the program, all known before running); stop once no
    waiting candidate could outrank the best found."""
    def order(k: Candidate) -> tuple:
        return (k.kind != "rule", -rank.upper_bound(k, ctx))
    queue = sorted(cands, key=order)
    start = time.process_time()
    wall_start = time.monotonic()
    children = 0.0
    runs = 0
    tried: list[Candidate] = []
    best = None
    origin = (ctx.crash.symptom.line if ctx.crash.symptom else None, ctx.crash.msg.split("\n")[0])
    while queue and len(tried) < MAX_RUNS:
        left = BUDGET_S - (time.process_time() - start) - children
        wall_left = SEARCH_WALL_S - (time.monotonic() - wall_start)
        if left <= 0.05 or wall_left <= 0.5:
            break
        if best is not None:
            # keep what could still win, or be worth naming as the alternative (until one is found)
            margin = ALT_MARGIN if runs < 2 else 0.0
            queue = [c for c in queue if rank.upper_bound(c, ctx) > best - margin]
            if not queue:
                break
        c = queue.pop(0)
        c.outcome = validate.run_candidate(script, list(c.fixes), min(RERUN_WALL_S, wall_left), followups, cpu_s=left)
        children += c.outcome.cpu
        tried.append(c)
        if LOG:
            o = c.outcome
            print(f"[repair] {c.template:18} prior {c.prior:4.1f} {o.status:8} {o.seconds:4.2f}s {o.cpu:4.2f}cpu "
                  f"{[f.new.strip() for f in c.fixes]} {o.exc_type} {o.message[:80]} {len(o.findings)} findings",
                  file=sys.stderr)
        if c.outcome.runs:
            runs += 1
            sc = rank.score(c, ctx)
            best = sc if best is None else max(best, sc)
        elif c.outcome.status == "crashed" and c.outcome.followups and not c.parts \
                and (c.outcome.line, c.outcome.message) != origin and c.outcome.message != origin[1]:
            # the edit moved the crash further on: try it together with a fix for the new crash
            for more in c.outcome.followups[:FOLLOWUPS]:
                combo = _combine(c, more)
                if combo is not None:
                    queue.append(combo)
            queue.sort(key=order)
    return tried


def _combine(first: Candidate, more: list[dict]) -> Candidate | None:
    extra = [Fix(d["file"], d["line"], d["old"], d["new"]) for d in more]
    mine = {(f.file, f.line) for f in first.fixes}
    fixes = list(first.fixes)
    for fx in extra:
        if (fx.file, fx.line) in mine:
            fixes = [fx if (f.file, f.line) == (fx.file, fx.line) else f for f in fixes]
            # the follow-up was written on the edited line: its old text is our new text
            fixes = [Fix(f.file, f.line, _orig_old(first, f), f.new) for f in fixes]
        else:
            fixes.append(fx)
    if tuple(fixes) == first.fixes:
        return None
    combo = Candidate(tuple(fixes), first.template + "+followup", first.kind, first.site, first.detail,
                      first.prior - 1, findings=first.findings, layer_change=first.layer_change, parts=[first])
    combo.then = (more[0].get("category") or "shape", more[0].get("why") or "")
    return combo


def _orig_old(first: Candidate, fx: Fix) -> str:
    for f in first.fixes:
        if (f.file, f.line) == (fx.file, fx.line):
            return f.old
    return fx.old


def followups(watcher, exc) -> list[list[dict]]:
    """In a validation child: fixes the rules and the best templates propose for a new crash
    (the crash search's candidates, and the silent fixes' re-run check in run/verify.py)."""
    from ..rules import crash as crash_mod
    found = crash_mod.diagnose(watcher, exc)
    out = []
    fixes = [{"file": fx.file, "line": fx.line, "old": fx.old, "new": fx.new, "why": f.message[:400],
              "category": f.category} for f in found for fx in f.fixes]
    if fixes:
        out.append(fixes)
    c = crash_mod.make_crash(watcher, exc)
    if c.failing is not None:
        ctx = Context(c, sites.collect(c), pairs(c.msg, c.failing, c.tb_locals))
        for cand in sorted(templates.generate(ctx), key=lambda k: -k.prior)[:2]:
            out.append([{"file": fx.file, "line": fx.line, "old": fx.old, "new": fx.new, "why": cand.detail,
                         "category": report.category(cand, ctx)} for fx in cand.fixes])
    return out


def _broken(o, crash, cand: Candidate | None = None) -> bool:
    """A re-run that fails in a way that is no progress: the same error, not a shape error, or a
    new error raised by the edited line itself (the edit made that line wrong, it did not get the
    program further)."""
    same = o.message == crash.msg.split("\n")[0][:300]
    at_edit = cand is not None and o.line is not None and o.line in {fx.line for fx in cand.fixes}
    return same or at_edit or o.exc_type not in ("RuntimeError", "ValueError", "IndexError")


def _unverified(f: Finding) -> Finding:
    if "re-run" not in f.message:
        f.message += " (with this fix the re-run still fails; the fix is a start, not the whole answer)"
    return f
