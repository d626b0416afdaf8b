"""The trace as a table: one row per op, with shapes, the user's line and the arithmetic."""
from __future__ import annotations

import os

from rich import box
from rich.table import Table
from rich.text import Text

from ..capture.events import OpEvent, Trace
from ..shapes import fmt_shape


def explanations(trace: Trace) -> dict:
    try:
        from ..analysis.explain import explain_shape
    except ImportError:  # explanations are optional for rendering
        return {}
    out = {}
    for e in trace.events:
        try:
            ex = explain_shape(e, trace)
        except Exception:  # noqa: BLE001 - a rendering must never fail on one odd op
            ex = None
        if ex is not None:
            out[e.index] = ex
    return out


def op_label(e: OpEvent) -> str:
    short = {"F.": "F.", "torch.": "torch.", "Tensor.": "."}
    name = e.op
    for prefix, repl in short.items():
        if name.startswith(prefix):
            name = repl + name[len(prefix):]
            break
    if e.name != e.op.rsplit(".", 1)[-1]:  # an operator such as + or @
        name = e.name
    return name


def shapes_of(metas) -> str:
    return " ".join(fmt_shape(m.shape, m.dtype) for m in metas) or "-"


def where_of(e: OpEvent, root: str | None = None) -> str:
    if e.where is None:
        return ""
    path = e.where.file
    if root and path.startswith(root):
        path = os.path.relpath(path, root)
    else:
        path = os.path.basename(path)
    return f"{path}:{e.where.line}"


def trace_table(trace: Trace, *, explain: bool = True, weights: bool = False,
                max_rows: int | None = None, root: str | None = None) -> Table:
    """A rich Table; ``weights=True`` also lists parameter shapes among the inputs."""
    from .args import check_count
    check_count("table(max_rows=...)", "max_rows", max_rows)
    title = f"{trace.model or 'model'}: {len(trace.events)} ops"
    if trace.inputs:
        title += f", input {shapes_of(trace.inputs)}"
    table = Table(title=Text(title), box=box.SIMPLE_HEAD, show_lines=False, title_justify="left", caption_justify="left",
                  pad_edge=False, expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("op")
    table.add_column("module", style="cyan")
    table.add_column("input → output")
    table.add_column("line", style="dim")
    if explain:
        table.add_column("why")
    from .sharding import has_sharding, sharding_lines
    sharded = has_sharding(trace)
    if sharded:  # only for DTensor programs: global → local shapes, placements, collectives
        table.add_column("global → local · placement · comm")
    why = explanations(trace) if explain else {}
    events = trace.events if max_rows is None else trace.events[:max_rows]
    for e in events:
        ins = e.inputs if weights else e.activations
        flow = f"{shapes_of(ins)} → {shapes_of(e.outputs)}" if not e.error else f"{shapes_of(ins)} → ✗"
        label = Text(op_label(e))
        if e.note:
            label.append(f" ({e.note})", style="yellow")
        # Text, not str: rich would read a size such as [u0,2] or [batch,3] as a markup tag
        row = [str(e.index), label, Text(e.module), Text(flow), Text(where_of(e, root))]
        if explain:
            ex = why.get(e.index)
            if e.error:
                row.append(Text(e.error.splitlines()[0][:200], style="red"))
            else:
                row.append(Text("\n".join(ex.lines())) if ex is not None else "")
        if sharded:
            row.append(Text("\n".join(sharding_lines(e)), style="magenta"))
        table.add_row(*row)
    caption = ""
    if max_rows is not None and len(trace.events) > max_rows:
        caption = f"… {len(trace.events) - max_rows} more ops"
    assumed = getattr(trace, "assumed", None)
    if assumed:  # branches and values taken on tensor data, with what was assumed
        caption += "\ntaken on data: " + "\n               ".join(assumed)
    if trace.error:
        caption += f"\nforward raised {trace.error_type}: {trace.error}"
    if caption:
        table.caption = Text(caption)
    return table
