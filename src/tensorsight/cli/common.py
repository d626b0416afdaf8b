"""Arguments and helpers shared by the commands that take TARGET --input."""
from __future__ import annotations

import re
import sys

from ..errors import TensorsightError


def add_target_args(p) -> None:
    p.add_argument("target", metavar="TARGET",
                   help="path/to/file.py:Name or package.module:Name (an nn.Module class, instance or factory)")
    p.add_argument("--input", "-i", action="append", default=[], metavar="SHAPE",
                   help="an input shape such as 1x1x32x32, 2x128:long for token ids, or name=SHAPE for a "
                        "keyword argument; repeat for several inputs")
    p.add_argument("--arg", "-a", action="append", default=[], metavar="KEY=VALUE",
                   help="constructor argument for the model class or factory")


def load_model_and_inputs(args):
    """(model, positional example tuple, keyword inputs) from TARGET/--input/--arg."""
    from ..shapes import parse_shape
    from .target import load_target, parse_kv
    if not args.input:
        raise TensorsightError("no input given; add --input with the shape of one example, e.g. --input 1x3x32x32")
    positional, keywords = [], {}
    for text in args.input:
        name, sep, shape = text.partition("=")
        if sep and name.isidentifier():
            keywords[name] = parse_shape(shape)
        else:
            positional.append(parse_shape(text))
    model = load_target(args.target, parse_kv(args.arg))
    return model, tuple(positional), keywords


_DIMS_ERROR = re.compile(r"(Expected|expected) .*\b(\d)D\b.*input|input of size|must have \d dimensions|"
                         r"expected \d+D input|Expected \d+-dimensional input", re.I)


def forward_failed(exc, spec_text: list[str]) -> int:
    """Explain a ForwardError: exit 2 when the input itself has the wrong rank/size, else 1."""
    from ..render.table import shapes_of, where_of
    trace = exc.trace
    last = trace.events[-1] if trace is not None and trace.events else None
    first_use = last is not None and any(t.role == "input" for t in last.inputs)
    msg = str(exc).splitlines()[0]
    if last is not None and first_use:
        hint = suggest_input(last)
        if hint:
            print(f"tensorsight: the input {' '.join(spec_text)} does not fit the model: {msg} "
                  f"({last.module or last.op} at {where_of(last)}); try --input {hint}", file=sys.stderr)
            return 2
    if last is not None:
        print(f"tensorsight: the forward pass raised at op #{last.index} {last.op}"
              f"{' in ' + last.module if last.module else ''} ({where_of(last)}: {last.where.code if last.where else ''})\n"
              f"  inputs: {shapes_of(last.inputs)}\n  {trace.error_type}: {msg}", file=sys.stderr)
    else:
        print(f"tensorsight: the forward pass raised before any tensor op: {msg}", file=sys.stderr)
    return 1


def suggest_input(event) -> str | None:
    """The input shape the first layer expects, from its weight."""
    acts = [t for t in event.inputs if t.role == "input"]
    weights = [t for t in event.inputs if t.role == "weight"]
    if not acts:
        return None
    given = acts[0].shape
    name = event.op.rsplit(".", 1)[-1]
    if name.startswith("conv") and weights:
        w = weights[0].shape
        spatial = len(w) - 2
        batch = given[0] if len(given) == spatial + 2 else 1
        if len(given) == spatial + 2 and given[-1] == w[1]:   # channels last: move C to dim 1
            dims = given[1:-1]
        elif len(given) >= spatial:
            dims = given[-spatial:]
        else:
            dims = (32,) * spatial
        return "x".join(str(d) for d in (batch, w[1], *dims))
    if name == "linear" and weights:
        lead = given[:-1] or (1,)
        return "x".join(str(d) for d in (*lead, weights[0].shape[1]))
    if name in ("batch_norm", "instance_norm", "layer_norm", "group_norm") and len(given) > 0:
        return None
    return None
