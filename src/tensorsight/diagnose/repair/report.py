"""The findings of a repair: the best validated fix, why its line is the root cause, and the
alternative when another fix is also plausible."""
from __future__ import annotations

import os

from ...shapes import fmt_shape
from ..findings import Finding
from .templates import Candidate, Context

# the finding category for a template, else for the failing op's family
_BY_TEMPLATE = {"cast": "dtype", "drop_last": "last_partial_batch", "batch_first": "rnn_layout",
                "per_sample_flatten": "view_reshape", "logits_loss": "loss_input_type",
                "add_sigmoid": "loss_input_type", "resize_to_other": "loss_target_shape",
                "eval_mode": "batch_size", "squeeze_ate_batch": "batch_dim_changed", "global_pool": "pooling",
                "batch_in_view": "view_reshape", "data_flag": "loss_target_shape", "batch_kept_view": "view_reshape",
                "flatten_rows": "loss_input_type", "shift_labels": "class_count", "input_size": "input_too_small"}
_BY_OP = [("conv", "conv_channels"), ("linear", "linear_in_features"), ("batch_norm", "batchnorm_features"),
          ("layer_norm", "layernorm_shape"), ("view", "view_reshape"), ("reshape", "view_reshape"),
          ("cat", "cat_stack"), ("stack", "cat_stack"), ("bmm", "matmul"), ("matmul", "matmul"), ("@", "matmul"),
          ("mm", "matmul"), ("lstm", "rnn_layout"), ("gru", "rnn_layout"), ("embedding", "embedding"),
          ("cross_entropy", "loss_target_shape"), ("nll_loss", "loss_target_shape"), ("loss", "loss_target_shape"),
          ("pool", "pooling")]


def category(c: Candidate, ctx: Context) -> str:
    base = c.template.split("+")[0]
    if base in _BY_TEMPLATE:
        return _BY_TEMPLATE[base]
    if base == "provenance" and c.findings:
        return c.findings[0].category
    name = ctx.ev.name if ctx.ev is not None else ""
    # the op's own name first (cosine_embedding_loss is a loss, not an embedding)
    for key, cat in _BY_OP:
        if name.startswith(key):
            return cat
    for key, cat in _BY_OP:
        if key in name:
            return cat
    return "shape"


def crash_summary(ctx: Context) -> str:
    ev, crash = ctx.ev, ctx.crash
    first = crash.msg.splitlines()[0] if crash.msg else type(crash.exc).__name__
    where = f"{os.path.basename(crash.symptom.file)}:{crash.symptom.line}" if crash.symptom else "the crash"
    if ev is None:
        return f"{where} raised: {first}"
    ops = ", ".join(fmt_shape(t.shape, t.dtype) for t in ev.activations) or "-"
    mod = f" in {ev.module}" if ev.module else ""
    return f"{ev.name}{mod} at {where} got {ops}: {first}"


def why_root(c: Candidate, ctx: Context) -> str:
    """Why the edited line, not the crash line, is where the bug is."""
    s = c.site
    if s is None:
        return ""
    if s.source:
        # where the data is made (producers.py); the candidate's detail says what is wrong with it
        return f"this line {s.why}"
    if s.wrap is not None:
        return f"this line {s.why}, and {ctx.ev.name} sees that tensor unchanged in layout"
    if s.kind == "operand" and s.event is not None and s.meta is not None:
        return (f"this line makes operand {s.operand} of {ctx.ev.name} — {fmt_shape(s.meta.shape, s.meta.dtype)} "
                f"from {s.event.name} — and that tensor reaches the failing op unchanged in layout")
    if s.kind == "ctor":
        return f"this line builds the layer: {s.why}"
    if s.kind == "constant":
        return f"this line {s.why}, the size the error names, and it flows from here into the failing op"
    if s.kind == "loader":
        return f"this line {s.why}: the batches are made here"
    return f"this line {s.why}"


def verified(c: Candidate) -> str:
    o = c.outcome
    if o is None or not o.runs:
        return ""
    if o.clean:
        return "re-run with this fix: it runs clean"
    return "re-run with this fix: it runs, with warnings: " + "; ".join(f["message"][:80] for f in o.findings[:1])


def alternative(alt: Candidate | None) -> str:
    if alt is None:
        return ""
    where = ", ".join(f"{os.path.basename(f.file)}:{f.line}" for f in alt.fixes)
    news = " / ".join(f.new.strip() for f in alt.fixes)
    return f"; also plausible (it runs too): {alt.detail} at {where} ({news})"


def findings_for(top: Candidate, alt: Candidate | None, ctx: Context, note: str | None = None) -> list[Finding]:
    note = verified(top) if note is None else note
    other = alternative(alt)
    if top.findings is not None:
        out = [Finding(f.severity, f.category, f.file, f.line, f.message, list(f.fixes)) for f in top.findings]
        _annotate(out, top, ctx, note, other)
        covered = {(fx.file, fx.line) for f in out for fx in f.fixes}
        extra = [fx for fx in top.fixes if (fx.file, fx.line) not in covered]
        if extra:
            out.append(_then_finding(top, ctx, extra, note))
        return out
    if top.then is not None:
        first_lines = {(f.file, f.line) for f in top.parts[0].fixes}
        main = findings_for(top.parts[0], alt, ctx, note=note + " with the next fix too")
        extra = [fx for fx in top.fixes if (fx.file, fx.line) not in first_lines]
        return main + ([_then_finding(top, ctx, extra, note)] if extra else [])
    lines = sorted({(f.file, f.line) for f in top.fixes}, key=lambda k: (k != (top.site.file, top.site.line)
                                                                          if top.site else False, k))
    cat = category(top, ctx)
    out = []
    for n, (file, line) in enumerate(lines):
        fixes = [f for f in top.fixes if (f.file, f.line) == (file, line)]
        if n == 0:
            why = why_root(top, ctx)
            msg = f"{crash_summary(ctx)}; {top.detail}" + (f" — {why}" if why else "") + f" ({note}){other}"
        else:
            msg = f"the same fix needs this line too: {top.detail} ({note})"
        out.append(Finding("error", cat, file, line, msg, fixes))
    return out


def _then_finding(top: Candidate, ctx: Context, extra, note: str) -> Finding:
    cat, why = top.then or (category(top, ctx), "")
    msg = (f"{why} — with the first fix made the script gets this far, and this line is then the next root "
           f"cause ({note} with both fixes)")
    return Finding("error", cat, extra[0].file, extra[0].line, msg, list(extra))


def annotate(found: list[Finding], ctx: Context) -> None:
    """Say, for each finding away from the crash line, how its line is in the crash's slice."""
    for f in found:
        site = _site_for(ctx, f.file, f.line)
        if site is not None and "root cause" not in f.message:
            f.message += f"; root cause here: {_site_phrase(site, ctx)}"


def _annotate(out: list[Finding], top: Candidate, ctx: Context, note: str, other: str) -> None:
    if not out:
        return
    first = out[0]
    annotate(out, ctx)
    if note:
        first.message += f" ({note})"
    first.message += other


def _site_for(ctx: Context, file: str, line: int):
    for s in ctx.sites:
        if s.file == file and s.line == line:
            return s
    return None


def _site_phrase(site, ctx: Context) -> str:
    if site.kind == "operand" and site.meta is not None and ctx.ev is not None:
        return f"this line makes {fmt_shape(site.meta.shape, site.meta.dtype)}, operand {site.operand} of {ctx.ev.name}"
    if site.kind == "call":
        return f"this line {site.why}"
    return site.why


# -- the crash line, when the root cause is elsewhere -----------------------------------------

# the category of the finding at the line that crashed (its root cause is reported elsewhere)
CRASH_SITE = "crash_site"


def crash_line(ctx: Context, found: list[Finding], rule_findings: list[Finding]) -> list[Finding]:
    """An error finding at the line that crashed, when the validated fix is on another line:
    what failed, on which shapes, the arithmetic, and which line is the root cause. It carries no
    fix (``fix --write`` applies only the root cause's)."""
    sym = ctx.crash.symptom
    root = next((f for f in found if f.fixes), None)
    if sym is None or root is None or any((f.file, f.line) == (sym.file, sym.line) for f in found):
        return []
    said = next((f.message for f in rule_findings if (f.file, f.line) == (sym.file, sym.line)), None)
    msg = said or crash_summary(ctx)
    arith = arithmetic(ctx)
    if arith and arith not in msg:
        msg += f"; {arith}"
    where = f"{os.path.basename(root.file)}:{root.line}"
    msg += f"; root cause: line {root.line} ({where}), where the fix goes: {root.fixes[0].new.strip()}"
    return [Finding("error", CRASH_SITE, sym.file, sym.line, msg, [])]


def arithmetic(ctx: Context) -> str:
    """The sizes behind the crash, in one clause (empty when the error says them already)."""
    import math
    import re
    ev, text = ctx.ev, ctx.crash.msg
    m = re.search(r"shape '\[(.*?)\]' is invalid for input of size (\d+)", text)
    if m:
        want = [int(v) for v in m.group(1).split(",") if v.strip().lstrip("-").isdigit()]
        held = int(m.group(2))
        x = ev.activations[0].shape if ev is not None and ev.activations else ()
        have = "·".join(str(d) for d in x) if x else str(held)
        if -1 in want:
            rest = math.prod(v for v in want if v != -1)
            return f"{held} = {have} values do not split into rows of {rest}"
        return f"it holds {held} = {have} values but [{', '.join(map(str, want))}] needs " \
               f"{'·'.join(map(str, want))} = {math.prod(want)}"
    m = re.search(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", text)
    if m:
        return f"a matrix product needs the left operand's last size to equal the right one's first: " \
               f"{m.group(2)} ≠ {m.group(3)}"
    m = re.search(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)", text)
    if m:
        return f"the prediction has {m.group(1)} rows, the target {m.group(2)}: one row per sample is needed"
    return ""
