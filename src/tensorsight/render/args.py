"""Argument checks shared by the renderers: a wrong argument is one TensorsightError saying what
was called, what it got and what to pass (never an AttributeError from deep inside a drawing)."""
from __future__ import annotations

import os

from ..errors import misuse


def check_trace(call: str, trace) -> None:
    from ..capture.events import Trace
    if not isinstance(trace, Trace):
        raise misuse(call, trace, "pass the Trace that tensorsight.trace(model, shape) returns")


def check_count(call: str, name: str, value, *, low: int = 0, none_ok: bool = True) -> None:
    """``value`` is None (when allowed) or a whole number >= ``low``."""
    if value is None and none_ok:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise misuse(call, value, f"{name} must be a whole number >= {low}" + (" or None" if none_ok else ""))


def check_number(call: str, name: str, value, *, positive: bool = True) -> None:
    import math
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or (positive and value <= 0):
        raise misuse(call, value, f"{name} must be a {'positive ' if positive else ''}number")


def check_path(call: str, path) -> None:
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise misuse(call, path, "give the file to write as a str or pathlib.Path, e.g. 'model.png'")


def check_title(call: str, title) -> None:
    if title is not None and not isinstance(title, str):
        raise misuse(call, title, "title must be a str or None")
