"""``tensorsight report TARGET --input SHAPE --html FILE``: the shapes of a model as pictures.

Writes one self-contained HTML page (diagram, every op with its source line and arithmetic,
conv/pool pictures, findings), and/or the diagram as SVG or PNG. With ``--layer NAME`` the SVG
or PNG is the picture of that one conv or pooling layer instead (NAME is a module path such as
``conv1`` or ``features.3``, or an op number from ``tensorsight trace``).

If the forward pass raises, the report is still written, from the ops that ran, with the failing
op marked, and the exit code is 1.
"""
from __future__ import annotations

import sys

from .common import add_target_args


def register(sub) -> None:
    p = sub.add_parser(
        "report", help="write the shape flow as a self-contained HTML report, SVG or PNG",
        description="Trace a model on fake tensors and write pictures of its shapes: a self-contained HTML "
                    "report (diagram, every op with source line and arithmetic, conv/pool pictures), the "
                    "diagram as SVG or PNG, or with --layer the picture of one conv or pooling layer.")
    add_target_args(p)
    p.add_argument("--html", metavar="FILE", help="write the HTML report here (no network needed to view it)")
    p.add_argument("--svg", metavar="FILE", help="write the diagram (or the --layer picture) as SVG")
    p.add_argument("--png", metavar="FILE", help="write the diagram (or the --layer picture) as PNG "
                                                 "(needs Pillow: pip install tensorsight[png])")
    p.add_argument("--layer", metavar="NAME",
                   help="with --svg/--png: draw this conv or pooling layer (module path like conv1, "
                        "or an op number like 5) instead of the whole network")
    p.add_argument("--depth", type=int, metavar="N",
                   help="module depth whose outputs become blocks (default: as deep as stays readable)")
    p.add_argument("--title", metavar="TEXT", help="title of the HTML report")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import ForwardError, TensorsightError
    from .common import forward_failed, load_model_and_inputs
    if not (args.html or args.svg or args.png):
        raise TensorsightError("nothing to write; add --html FILE (or --svg FILE / --png FILE), "
                               "e.g. tensorsight report model.py:Net --input 1x3x32x32 --html report.html")
    if args.depth is not None and args.depth < 1:
        raise TensorsightError(f"--depth {args.depth} must be 1 or more (1 = the model's direct children)")
    from .common import target_file
    from .outputs import resolve_outputs
    resolve_outputs(args, ("--html", "--svg", "--png"), (target_file(args.target),))
    if args.png:
        from ..render.png import _pil
        _pil()  # no Pillow: say so before tracing, not after writing the other files
    model, positional, keywords = load_model_and_inputs(args)
    from ..capture.api import trace as do_trace
    failure = None
    try:
        trace = do_trace(model, positional, **keywords)
    except ForwardError as exc:
        if exc.trace is None:
            raise
        trace, failure = exc.trace, exc
    findings = [forward_finding(trace)] if failure is not None and forward_finding(trace) else []
    layer = find_layer(trace, args.layer) if args.layer else None
    written = []
    if args.html:
        from ..render.html import to_html
        _write(args.html, to_html(trace, findings=findings, title=args.title, depth=args.depth))
        written.append(args.html)
    if args.svg:
        if layer is not None:
            from ..render.conv_picture import conv_picture
            text = conv_picture(layer, trace)
        else:
            from ..render.svg import to_svg
            text = to_svg(trace, depth=args.depth)
        _write(args.svg, text)
        written.append(args.svg)
    if args.png:
        from .outputs import write_png
        if layer is not None:
            from ..render.png import conv_png
            write_png(lambda: conv_png(layer, args.png, trace=trace), args.png)
        else:
            from ..render.png import to_png
            write_png(lambda: to_png(trace, args.png, depth=args.depth), args.png)
        written.append(args.png)
    import os
    print(f"wrote {', '.join(os.path.relpath(w) for w in written)}")
    if failure is not None:
        return forward_failed(failure, args.input)
    return 0


def _write(path: str, text: str) -> None:
    from .outputs import write_text
    write_text(path, text)


def forward_finding(trace) -> dict | None:
    """The failing op of a partial trace as a finding (so the report lists it)."""
    failing = next((e for e in reversed(trace.events) if e.error), None)
    if failing is None or failing.where is None:
        return None
    acts = ", ".join(str(list(t.shape)) for t in failing.inputs if t.role in ("", "input"))
    where = f" in {failing.module}" if failing.module else ""
    return {"severity": "error", "category": "forward-error", "file": failing.where.file,
            "line": failing.where.line,
            "message": f"op #{failing.index} {failing.op}{where} raised with inputs {acts}: {failing.error}",
            "fixes": []}


def find_layer(trace, name: str):
    """The conv/pool event that ``name`` (module path or op number) names."""
    from ..errors import TensorsightError
    from ..render.conv_picture import is_windowed
    windowed = [e for e in trace.events if is_windowed(e) and not e.error]
    key = name.strip().lstrip("#")
    if key.isdigit():
        i = int(key)
        if i >= len(trace.events):
            raise TensorsightError(f"--layer {name}: the trace has ops 0 to {len(trace.events) - 1}")
        ev = trace.events[i]
        if ev in windowed:
            return ev
        raise TensorsightError(f"--layer {name}: op #{i} is {ev.op}, not a conv or pooling layer; "
                               f"try one of {_choices(windowed)}")
    hits = [e for e in windowed if e.module == key] or \
           [e for e in windowed if e.module.startswith(key + ".")]
    if hits:
        return hits[0]
    raise TensorsightError(f"--layer {name}: no conv or pooling layer by that name; try one of {_choices(windowed)}")


def _choices(events) -> str:
    if not events:
        return "(none: this model has no conv or pooling layer)"
    names = [e.module if e.module else f"{e.index} ({e.name})" for e in events[:8]]
    return ", ".join(names) + (", …" if len(events) > 8 else "")


if __name__ == "__main__":  # pragma: no cover
    from . import main
    sys.exit(main(["report", *sys.argv[1:]]))
