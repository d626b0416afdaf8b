"""``tensorsight trace TARGET --input SHAPE``: every op of the forward pass, explained."""
from __future__ import annotations

import sys

from .common import add_target_args
from .world import add_world_args, explain_sharded_failure, print_rank_memory, world_for


def register(sub) -> None:
    p = sub.add_parser("trace", help="trace every tensor op of a forward pass with its shapes and arithmetic",
                       description="Trace every tensor op of a model's forward pass on fake tensors "
                                   "(no weights, no compute): shapes, source lines and the arithmetic of each size.")
    add_target_args(p)
    p.add_argument("--format", "-f", choices=("table", "tree", "json"), default="table")
    p.add_argument("--symbolic", action="store_true",
                   help="sizes as formulas of named input sizes, e.g. --input 'N x 1 x H x W'")
    p.add_argument("--weights", action="store_true", help="also list weight shapes among op inputs")
    p.add_argument("--max-rows", type=int, default=None, metavar="N", help="show at most N ops")
    p.add_argument("--svg", metavar="FILE", help="write the shape-flow diagram as SVG")
    p.add_argument("--png", metavar="FILE", help="write the shape-flow diagram as PNG")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    add_world_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    with world_for(args, fake_tensors=True, init=True):  # --world-size: build() and trace as one rank
        return _run(args)


def _run(args) -> int:
    from ..errors import ForwardError
    from .common import forward_failed, load_model_and_inputs, target_file
    from .outputs import resolve_outputs
    resolve_outputs(args, ("--svg", "--png", "--html"), (target_file(args.target),))
    if args.max_rows is not None and args.max_rows < 0:
        from ..errors import TensorsightError
        raise TensorsightError(f"--max-rows {args.max_rows} must be 0 or more")
    if args.png:
        from ..render.png import _pil
        _pil()  # no Pillow: say so before tracing
    model, positional, keywords = load_model_and_inputs(args)
    try:
        if args.symbolic:
            from ..analysis.symbolic import symbolic
            spec = positional[0] if len(positional) == 1 else positional
            trace = symbolic(model, spec, **keywords)
        else:
            from ..capture.api import trace as do_trace
            trace = do_trace(model, positional, **keywords)
    except ForwardError as exc:
        if exc.trace is not None and exc.trace.events:
            _print(exc.trace, args)
        code = forward_failed(exc, args.input)
        if args.world_size is not None:
            explain_sharded_failure(exc, sys.stderr)
        return code
    _print(trace, args)
    if args.world_size is not None and args.format != "json":
        print_rank_memory(model, trace, sys.stdout)
    _pictures(trace, args)
    return 0


def _print(trace, args) -> None:
    if args.format == "json":
        sys.stdout.write(trace.to_json() + "\n")
        return
    import shutil
    from rich.console import Console
    console = Console(width=max(shutil.get_terminal_size((140, 40)).columns, 120))
    if args.format == "tree":
        console.print(trace.tree())
    else:
        console.print(trace.table(weights=args.weights, max_rows=args.max_rows))


def _pictures(trace, args) -> None:
    from .outputs import write_png, write_text
    if args.svg:
        from ..render.svg import to_svg
        write_text(args.svg, to_svg(trace), "--svg")
    if args.png:
        from ..render.png import to_png
        write_png(lambda: to_png(trace, args.png), args.png)
    if args.html:
        from ..render.html import to_html
        write_text(args.html, to_html(trace), "--html")
