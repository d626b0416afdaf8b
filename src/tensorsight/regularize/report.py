"""Sparsity and norm per regularized parameter over training: a rich Table and an SVG picture.

The picture is plain SVG written by hand (no matplotlib): two panels sharing the step axis,
top the norm of each parameter relative to its largest value (the legend gives the actual
start and end norms), bottom the fraction of exact zeros (dashed: the fraction of zero groups
for GroupLasso).
"""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from .diagnose import num

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{num(100 * x) if x else 0}%"


def table(reg, title: str | None = None):
    """A rich Table, one row per regularized parameter: norm and exact zeros start -> now,
    zero groups (GroupLasso), mean fraction of sign flips per step, and the step since which
    the whole parameter is exactly zero."""
    from rich.table import Table
    groups = any(reg.history[t.name][-1].zero_groups is not None for t in reg.targets)
    tab = Table(title=title or f"Regularization ({reg.mode} mode, {reg.steps} steps)")
    tab.add_column("parameter", overflow="fold")
    tab.add_column("penalty", overflow="fold")
    for col in ("‖w‖", "zeros") + (("zero groups",) if groups else ()) + ("flips", "all 0 at"):
        tab.add_column(col, justify="right")
    for t in reg.targets:
        hist = reg.history[t.name]
        first, last = hist[0], hist[-1]
        flips = [r.sign_flips for r in hist[1:]]
        since = None
        for r in reversed(hist):
            if r.sparsity < 1.0:
                break
            since = r.step
        row = [f"{t.name} ({'×'.join(map(str, t.param.shape)) or 'scalar'})", t.penalty.label(),
               f"{num(first.norm)} → {num(last.norm)}",
               f"{_pct(first.sparsity)} → {_pct(last.sparsity)}"]
        if groups:
            row.append(_pct(last.zero_groups))
        row += [_pct(sum(flips) / len(flips)) if flips else "–",
                "–" if since is None else f"step {since}"]
        tab.add_row(*row)
    return tab


def _polyline(points, color, dashed=False) -> str:
    if len(points) > 600:  # keep the file small on long runs
        stride = len(points) // 600 + 1
        points = points[::stride] + [points[-1]]
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash = ' stroke-dasharray="5,3"' if dashed else ""
    return (f'<polyline fill="none" stroke="{color}" stroke-width="1.8"{dash} '
            f'points="{pts}"/>')


def svg(reg, width: int = 760) -> str:
    """The SVG text of the picture."""
    left, right, top, panel_h, gap = 64, 20, 40, 170, 50
    plot_w = width - left - right
    n_legend = len(reg.targets)
    height = top + 2 * panel_h + gap + 40 + 18 * n_legend + 10
    steps = max((r.step for h in reg.history.values() for r in h), default=0) or 1

    def x_of(step):
        return left + plot_w * step / steps

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15" font-weight="bold">'
           f'{escape(f"Regularization ({reg.mode} mode): norm and sparsity per parameter")}'
           f'</text>']
    panels = (("‖w‖ / max ‖w‖", top), ("exact zeros", top + panel_h + gap))
    for label, y0 in panels:
        out.append(f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{panel_h}" '
                   f'fill="none" stroke="#999"/>')
        for frac in (0.0, 0.5, 1.0):
            y = y0 + panel_h * (1 - frac)
            tick = f"{frac:g}" if label.startswith("‖") else f"{100 * frac:g}%"
            out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                       f'stroke="#eee"/>')
            out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
        out.append(f'<text x="14" y="{y0 + panel_h / 2:.1f}" text-anchor="middle" '
                   f'transform="rotate(-90 14 {y0 + panel_h / 2:.1f})">{escape(label)}</text>')
    y_axis = top + 2 * panel_h + gap
    for step in (0, steps // 2, steps):
        out.append(f'<text x="{x_of(step):.1f}" y="{y_axis + 16}" text-anchor="middle">'
                   f'{step}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{y_axis + 32}" text-anchor="middle">'
               f'optimizer step</text>')
    for i, t in enumerate(reg.targets):
        color = _COLORS[i % len(_COLORS)]
        hist = reg.history[t.name]
        top_norm = max(r.norm for r in hist) or 1.0
        y0, y1 = panels[0][1], panels[1][1]
        out.append(_polyline([(x_of(r.step), y0 + panel_h * (1 - r.norm / top_norm))
                              for r in hist], color))
        out.append(_polyline([(x_of(r.step), y1 + panel_h * (1 - r.sparsity)) for r in hist],
                             color))
        if hist[-1].zero_groups is not None:
            out.append(_polyline([(x_of(r.step), y1 + panel_h * (1 - (r.zero_groups or 0)))
                                  for r in hist], color, dashed=True))
        ly = y_axis + 50 + 18 * i
        text = (f"{t.name}  {t.penalty.label()}  ‖w‖ {num(hist[0].norm)} → "
                f"{num(hist[-1].norm)}, zeros {_pct(hist[0].sparsity)} → "
                f"{_pct(hist[-1].sparsity)}")
        out.append(f'<line x1="{left}" x2="{left + 24}" y1="{ly - 4}" y2="{ly - 4}" '
                   f'stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{left + 32}" y="{ly}">{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_svg(reg, path) -> str:
    """Write the picture to ``path`` (an .svg file) and return the path as a string."""
    path = Path(path)
    if path.suffix.lower() != ".svg":
        from ..errors import TensorsightError
        raise TensorsightError(
            f"reg.plot() writes SVG (no matplotlib needed); give a path ending in .svg, "
            f"not {path.name!r}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg(reg), encoding="utf-8")
    except OSError as exc:
        from ..errors import TensorsightError
        raise TensorsightError(f"reg.plot() cannot write {str(path)!r}: {exc.strerror or exc}") from None
    return str(path)
