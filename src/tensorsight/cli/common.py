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


def target_file(target: str) -> str:
    """The file part of TARGET (``path/to/file.py`` of ``path/to/file.py:Net``), or ''."""
    path = target.rpartition(":")[0]
    return path if path.endswith(".py") else ""


def load_model_and_inputs(args, need_input: bool = True):
    """(model, positional example tuple, keyword inputs) from TARGET/--input/--arg."""
    from ..shapes import parse_shape
    from .target import load_target, parse_kv
    if need_input and not args.input:
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
    """Explain a ForwardError. Exit 2 only when the op that raised is the first one to read the
    input and a different input shape would fit (the input is what the user typed wrong);
    every other raise is the model's: exit 1 with the failing op, or the line that raised."""
    from ..render.table import shapes_of, where_of
    from .usercode import safe_str
    trace = exc.trace
    last = trace.events[-1] if trace is not None and trace.events else None
    failed_op = last is not None and bool(last.error)
    msg = (safe_str(exc).splitlines() or [""])[0]
    error_type = (trace.error_type if trace is not None and trace.error_type
                  else type(exc.original).__name__ if exc.original is not None else "error")
    if is_data_dependent(error_type, msg):
        line = raising_line(exc.original)
        print(f"tensorsight: tracing stopped at {line or where_of(last) if last else line}: this line needs the "
              f"value of a tensor ({msg.split('(')[0].strip()}), which tracing on fake tensors does not "
              f"compute; PyTorch runs it — this is a limit of tracing, not a bug in your model "
              f"(run the script itself with `tensorsight run SCRIPT` to check it on real data)", file=sys.stderr)
        return 1
    if failed_op and any(t.role == "input" for t in last.inputs):
        hint = suggest_input(last)
        given = [s.partition("=")[2] if "=" in s else s for s in spec_text]
        if hint and hint not in given:
            print(f"tensorsight: the input {' '.join(spec_text)} does not fit the model: {msg} "
                  f"({last.module or last.op} at {where_of(last)}); try --input {hint}", file=sys.stderr)
            return 2
    if failed_op:
        print(f"tensorsight: the forward pass raised at op #{last.index} {last.op}"
              f"{' in ' + last.module if last.module else ''} ({where_of(last)}: {last.where.code if last.where else ''})\n"
              f"  inputs: {shapes_of(last.inputs)}\n  {error_type}: {msg}", file=sys.stderr)
        return 1
    line = raising_line(exc.original)
    after = (f", after op #{last.index} {last.op}{' in ' + last.module if last.module else ''} "
             f"({where_of(last)})" if last is not None else " before any tensor op")
    print(f"tensorsight: the forward pass raised {error_type}{' at ' + line if line else ''}{after}: {msg}",
          file=sys.stderr)
    return 1


_DATA_DEPENDENT_TYPES = ("GuardOnDataDependentSymNode", "DataDependentOutputException",
                         "DynamicOutputShapeException")


def is_data_dependent(error_type: str, message: str) -> bool:
    """A trace that ended because fake tensors hold no values (``.item()`` in an ``if``)."""
    return error_type in _DATA_DEPENDENT_TYPES or "data-dependent" in message


def raising_line(original) -> str:
    """``file.py:12 (raise ValueError(...))``: the innermost frame of the user's code that raised."""
    import os
    import traceback

    from .usercode import own_frame
    if original is None:
        return ""
    frames = [f for f in traceback.extract_tb(original.__traceback__)
              if not own_frame(f.filename) and f"{os.sep}torch{os.sep}" not in f.filename]
    if not frames:
        return ""
    f = frames[-1]
    return f"{os.path.basename(f.filename)}:{f.lineno}" + (f" ({f.line.strip()})" if f.line else "")


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
