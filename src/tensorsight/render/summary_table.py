"""Draw a ``Summary``: the module tree table, then the totals, each marked exact or estimated."""
from __future__ import annotations

import io

COLUMNS = ("input", "output", "params", "percent", "trainable", "kernel", "groups", "flops", "macs",
           "memory", "alloc")
DEFAULT_COLUMNS = ("output", "params", "flops", "memory")
# torchinfo's column names; its "mult_adds" are multiply-adds, so they map to macs (FLOPs / 2)
_ALIASES = {"output_size": "output", "input_size": "input", "num_params": "params",
            "params_percent": "percent", "mult_adds": "macs", "mult-adds": "macs", "kernel_size": "kernel",
            "outputs": "output", "inputs": "input", "shape": "output", "mem": "memory",
            "activations": "memory", "trainable_params": "trainable"}


def check_columns(columns) -> tuple[str, ...]:
    """Column names from a list or a comma-separated string (torchinfo's names work too)."""
    from ..errors import TensorsightError
    if columns is None:
        return DEFAULT_COLUMNS
    if isinstance(columns, str):
        columns = [c for c in columns.replace(" ", ",").split(",") if c]
    elif not isinstance(columns, (list, tuple)):
        from ..errors import misuse
        raise misuse("summary(columns=...)", columns, f"columns must be a list or a comma-separated "
                                                      f"string out of {', '.join(COLUMNS)}")
    out: list[str] = []
    for c in columns:
        c = str(getattr(c, "value", c)).strip().lower()  # torchinfo's ColumnSettings enum too
        c = _ALIASES.get(c, c)
        if c not in COLUMNS:
            raise TensorsightError(f"unknown column {c!r}; choose from {', '.join(COLUMNS)} "
                                   f"(e.g. --columns output,params,flops)")
        if c not in out:
            out.append(c)
    if not out:
        raise TensorsightError(f"no columns given; choose from {', '.join(COLUMNS)}")
    return tuple(out)

_PREFIXES = ("", "K", "M", "G", "T", "P", "E")


_COUNT_PREFIXES = ("", "K", "M", "B", "T", "Q")


def human(n: float | int | None, unit: str = "", base: int = 1000, prefixes=_PREFIXES) -> str:
    """``1.2 M``, ``3.4 GFLOPs``, ``12.3 MB``, ``123 KB``; plain for values under ``base``."""
    if n is None:
        return "?"
    value = float(n)
    i = 0
    while abs(value) >= base and i < len(prefixes) - 1:
        value /= base
        i += 1
    if i == 0:
        text = f"{int(n):,}" if float(n).is_integer() else f"{n:.3g}"
        return f"{text} {unit}".rstrip() if unit else text
    num = f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
    return f"{num} {prefixes[i]}{unit}".rstrip()


def fmt_count(n: int | None) -> str:
    """Parameter counts: ``25.6 M``, ``69.0 B`` (billions, not giga)."""
    return human(n, prefixes=_COUNT_PREFIXES)


def fmt_bytes(n: int | None) -> str:
    return "?" if n is None else ("0 B" if n == 0 else human(n, "B"))


def fmt_flops(n: int | None) -> str:
    return "?" if n is None else human(n, "FLOPs")


def _shapes_cell(shapes: list[str], limit: int = 3) -> str:
    if not shapes:
        return "--"
    if len(shapes) <= limit:
        return ", ".join(shapes)
    return ", ".join(shapes[:limit]) + f", … (+{len(shapes) - limit})"


_ASCII = {"├─ ": "|-- ", "└─ ": "`-- ", "│  ": "|   ", "   ": "    "}


def _guides(rows, ascii_only: bool = False) -> list[str]:
    """Tree guides (├─ └─ │) for rows in pre-order with their depths."""
    last = [True] * len(rows)
    seen: dict[int, bool] = {}  # scanning back: a row at this depth since the last shallower one
    for i in range(len(rows) - 1, -1, -1):
        d = rows[i].depth
        last[i] = not seen.get(d, False)
        seen[d] = True
        for deeper in [k for k in seen if k > d]:
            seen[deeper] = False
    out = []
    open_levels: list[bool] = []  # per depth: does a later sibling still follow?
    base = rows[0].depth if rows else 0
    for i, r in enumerate(rows):
        level = r.depth - base
        del open_levels[level:]
        if level == 0:
            out.append("")
        else:
            parts = ["│  " if more else "   " for more in open_levels[1:level]]
            parts.append("└─ " if last[i] else "├─ ")
            out.append("".join(_ASCII[p] if ascii_only else p for p in parts))
        open_levels.append(not last[i])
    return out


def _label(row) -> str:
    if row.depth == 0:
        return row.type
    name = f"{row.name}: {row.type}" if row.name and row.name != row.type else row.type
    if row.count > 1:
        name += f" ×{row.count}" + (" calls" if getattr(row, "same_module", False) else "")
    return name


def summary_table(summary, columns=None, title: bool = True):
    """A rich renderable: the module table and the totals below it."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    columns = tuple(columns or summary.columns)
    total_params = summary.params or 0
    ascii_only = "ascii_only" in getattr(summary, "row_settings", ())
    headers = {"input": "Input shape", "output": "Output shape", "params": "Params",
               "percent": "Params %", "trainable": "Trainable", "kernel": "Kernel", "groups": "Groups",
               "flops": "FLOPs", "macs": "Mult-adds (MACs)", "memory": "Output bytes", "alloc": "Allocated"}
    right = {"params", "percent", "trainable", "groups", "flops", "macs", "memory", "alloc"}
    name = f"{summary.model}({', '.join(summary.inputs)})" if getattr(summary, "forward", True) else summary.model
    t = Table(title=(name if title else None), show_lines=False, header_style="bold", title_justify="left",
              box=box.ASCII if ascii_only else box.HEAVY_HEAD)
    t.add_column("Module", no_wrap=True)
    for c in columns:
        t.add_column(headers[c], justify="right" if c in right else "left",
                     no_wrap=c not in ("input", "output"))
    guides = _guides(summary.rows, ascii_only)
    for g, r in zip(guides, summary.rows):
        cells = []
        for c in columns:
            if c == "input":
                cells.append(_shapes_cell(r.inputs))
            elif c == "output":
                cells.append(_shapes_cell(r.outputs))
            elif c == "params":
                cells.append("(shared)" if r.repeat and r.params else
                             ("?" if r.params is None else (f"{r.params:,}" if r.params else "--")))
            elif c == "percent":
                cells.append("--" if not r.params or r.repeat or not total_params else
                             f"{100 * r.params / total_params:.2f}%")
            elif c == "trainable":
                cells.append("?" if r.trainable is None else (f"{r.trainable:,}" if r.trainable else "--"))
            elif c == "kernel":
                cells.append(r.kernel or "--")
            elif c == "groups":
                cells.append(str(r.groups) if r.groups is not None else "--")
            elif c == "flops":
                cells.append(human(r.flops) if r.flops else "--")
            elif c == "macs":
                cells.append(human(r.macs) if r.macs else "--")
            elif c == "memory":
                cells.append(fmt_bytes(r.output_bytes))
            elif c == "alloc":
                cells.append(fmt_bytes(r.alloc_bytes) if r.alloc_bytes else "--")
        t.add_row(Text(g + _label(r)), *cells)
    parts = [t]
    notes = list(summary.notes)
    if any(r.count > 1 for r in summary.rows):
        notes.insert(0, "×N: N identical consecutive modules in one row; its numbers are for one of them")
    if summary.depth is not None and any(r.depth > summary.depth for r in summary.calls):
        notes.insert(0, f"deeper modules hidden (depth {summary.depth}); their FLOPs and memory are in their parents'")
    if notes:
        parts.append(Text("\n".join(f"· {n}" for n in notes), style="dim"))
    parts.append(totals_table(summary))
    return Group(*parts)


def totals_table(summary):
    from rich.table import Table
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    t.add_column("Totals")
    t.add_column("", justify="right")
    t.add_column("", style="dim")
    t.add_column("", style="dim")
    for q in summary.totals:
        if q.unit == "params":
            value = "?" if q.value is None else f"{q.value:,}"
            if q.value and q.value >= 10_000:
                value += f" ({fmt_count(q.value)})"
        elif q.unit == "flops":
            value = fmt_flops(q.value)
            if q.value:
                value += f" ({q.value:,})"
        elif q.unit == "count":
            value = "?" if q.value is None else human(q.value)
            if q.value and q.value >= 1000:
                value += f" ({q.value:,})"
        else:
            value = fmt_bytes(q.value)
        note = q.note
        if q.key == "param_bytes" and len(summary.param_bytes_by_dtype) > 0:
            note = ", ".join(f"{k} {fmt_bytes(v)}" for k, v in summary.param_bytes_by_dtype.items())
        t.add_row(q.label, value, "exact" if q.exact else "estimated", note)
    return t


def summary_text(summary, width: int | None = None, columns=None) -> str:
    """Plain text of the summary, as wide as it needs (up to 240 columns) unless ``width``."""
    from rich.console import Console
    renderable = summary_table(summary, columns=columns)
    if width is None:
        probe = Console(file=io.StringIO(), width=240, color_system=None)
        width = min(240, max(80, probe.measure(renderable).maximum))
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False,
                      legacy_windows=False, soft_wrap=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines()) + "\n"
