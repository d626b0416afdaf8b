"""Edit template for a resampling factor: a layer whose job is to scale each spatial side by an
argument (``PixelShuffle(upscale_factor)``, ``Upsample(scale_factor=2)``, ``PixelUnshuffle``,
or a user module that keeps such an argument under the same name) made a side of the size the
error names, where the other operand wants one that the same input scaled by another whole
factor gives.

The factor is read from the Trace, not assumed: the layer's first input and last output give
``out = in · factor`` (or ``in // factor``), and only a whole new factor that turns ``in`` into the
wanted size is proposed. The edit goes to the constructor argument; ``templates_origin.lift``
then moves it to where that argument gets its value (``UPSCALE = 2``), so a layer whose input
channels were sized from the same name (``Conv2d(32, upscale_factor ** 2, 3)``) changes with it;
the re-run decides.
"""
from __future__ import annotations

import inspect

from ..edit import edits
from .candidate import Candidate, Context
from .sites import Site

# attribute (also the constructor's keyword) -> how it scales a spatial side
SCALE_ARGS = {"upscale_factor": "mul", "scale_factor": "mul", "downscale_factor": "div"}
# above set_ctor_out's 4.5 once lifted to the origin; the edit at the layer itself rarely runs
# (its neighbours were sized from the same value) and is tried after resizing the prediction
PRIOR = 4.4


def _whole(v) -> int | None:
    if isinstance(v, (tuple, list)) and v and all(x == v[0] for x in v):
        v = v[0]
    if isinstance(v, bool):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return v if isinstance(v, int) and v > 0 else None


def _position(cls, keyword: str) -> int | None:
    try:
        params = [p for p in inspect.signature(cls.__init__).parameters.values()][1:]
    except (TypeError, ValueError):
        return None
    for i, p in enumerate(params):
        if p.name == keyword:
            return i if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else None
    return None


def _sides(ctx: Context, module):
    """(input, output) spatial sides of the module's first call in the trace."""
    paths = {p for p, ref in ctx.crash.watcher.recorder.module_objects.items() if ref() is module}
    mine = [e for e in ctx.crash.trace.events if e.module in paths]
    first = [e for e in mine if e.module == mine[0].module] if mine else []
    if not first or not first[0].inputs or not first[-1].outputs:
        return None
    x, y = first[0].inputs[0].shape, first[-1].outputs[0].shape
    if len(x) != len(y) or len(x) < 3:
        return None
    return tuple(x[2:]), tuple(y[2:])


def resample_factor(ctx: Context, site: Site):
    """``PixelShuffle(2)`` turns 32 into 64 where the target has 96: ``PixelShuffle(3)``."""
    module = site.module
    if module is None:
        return
    for attr, how in SCALE_ARGS.items():
        factor = _whole(getattr(module, attr, None))
        if factor is None:
            continue
        sides = _sides(ctx, module)
        if sides is None:
            return
        for a, b in zip(*sides):
            if not (isinstance(a, int) and isinstance(b, int)):
                continue
            if b != (a * factor if how == "mul" else a // factor):
                continue
            for want, got in ctx.pairs:
                if got != b or want == got or want <= 0:
                    continue
                new = want // a if how == "mul" else (a // want if want else 0)
                if new <= 0 or new == factor or (a * new if how == "mul" else a // new) != want:
                    continue
                mtype = type(module).__name__
                fixes = edits.replace_arg(site.file, site.line, (mtype,), _position(type(module), attr), attr, str(new))
                if fixes:
                    op = "×" if how == "mul" else "÷"
                    yield Candidate(tuple(fixes), "resample_factor", "layer", site,
                                    f"{mtype} {attr} {factor} → {new}: {a} {op} {factor} = {got}, but the other "
                                    f"operand has {want} = {a} {op} {new}", PRIOR)
        return
