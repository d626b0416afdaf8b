"""``tensorsight solve TARGET --input 1x1xHxW``: the input sizes a model accepts, and why others fail."""
from __future__ import annotations

import json
import re
import sys

from ..errors import TensorsightError
from .common import add_target_args


def register(sub) -> None:
    p = sub.add_parser(
        "solve", help="which input sizes the model accepts: name the sizes that vary (1x1xHxW)",
        description="Find the input sizes a model accepts. Name the sizes that vary in --input "
                    "(e.g. 1x1xHxW or 'N x 3 x H x W'); every named size is searched exactly over a range, "
                    "and the conditions the layers put on it are shown as formulas. "
                    "With --check SIZE: the op that fails first for that size and the nearest sizes that work "
                    "(exit code 1 when it fails).")
    add_target_args(p)
    p.add_argument("--check", "-c", metavar="SIZE",
                   help="explain one size, e.g. 1x1x28x28 (or H=28,W=28)")
    p.add_argument("--range", "-r", default="1..1024", metavar="LO..HI",
                   help="sizes searched for each name (default 1..1024)")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def _range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*([0-9]{1,19})\s*(?:\.\.|-|:|,)\s*([0-9]{1,19})\s*", text or "")
    if not m:
        raise TensorsightError(f"cannot read --range {_clip(text)!r}; write it as LO..HI, e.g. --range 1..512")
    lo, hi = int(m.group(1)), int(m.group(2))
    if lo < 1 or hi < lo:
        raise TensorsightError(f"--range {text!r} must go from a size ≥ 1 up, e.g. --range 1..512")
    return lo, hi


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


def _size(text: str):
    if "=" in text:
        out = {}
        for part in re.split(r"[,\s]+", text.strip()):
            if not part:
                continue
            key, sep, val = part.partition("=")
            if not sep or not re.fullmatch(r"[0-9]{1,19}", val.strip()) or not key.strip().isidentifier():
                raise TensorsightError(f"cannot read --check {_clip(text)!r}; write a shape such as 1x1x28x28 or H=28,W=28")
            out[key.strip()] = int(val)
        return out
    return text


def run(args) -> int:
    from ..analysis.solve import solve
    from .common import load_model_and_inputs
    lo, hi = _range(args.range)
    model, positional, keywords = load_model_and_inputs(args)
    spec = positional[0] if len(positional) == 1 else positional
    sol = solve(model, spec, range=(lo, hi), **keywords)
    check = sol.check(_size(args.check)) if args.check else None
    if args.format == "json":
        out = {"solution": sol.to_dict()}
        if check is not None:
            out["check"] = check.to_dict()
        sys.stdout.write(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    else:
        print(sol)
        if check is not None:
            print()
            print(check)
    return 1 if check is not None and not check.ok else 0
