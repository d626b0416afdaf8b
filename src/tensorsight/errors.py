"""One error type for everything the user asked for wrongly.

Like einops' EinopsError: the message says what was asked, what was given and what to type
instead. The CLI prints it as one sentence and exits with code 2; it never shows a traceback.
The API raises the same type (a subclass of ValueError, so ``except ValueError`` still works).
"""
from __future__ import annotations


class TensorsightError(ValueError):
    """A mistake in what the user asked tensorsight to do (bad shape spec, missing file...)."""


class ForwardError(Exception):
    """The user's model raised while being traced. Carries the partial trace (exit code 1)."""

    def __init__(self, message: str, trace=None, original: BaseException | None = None):
        super().__init__(message)
        self.trace = trace
        self.original = original


class UserCodeError(Exception):
    """The user's own code raised outside a forward pass (importing TARGET, building the model).

    The CLI shows it as theirs: one line saying what tensorsight was doing, then their
    traceback without tensorsight's frames, exit code 1."""

    def __init__(self, doing: str, original: BaseException):
        super().__init__(f"{doing} raised {type(original).__name__}: {original}")
        self.doing = doing
        self.original = original


def misuse(call: str, got, why: str) -> TensorsightError:
    """``misuse("to_svg(trace)", None, "pass the Trace that tensorsight.trace() returned")``:
    the einops-style message — what was called, with what, and what to pass instead."""
    return TensorsightError(f"{call}: got {_show(got)}; {why}")


def _show(value) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that raises must not hide the real message
        text = f"<{type(value).__name__}>"
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})" if not isinstance(value, (str, type(None))) else text


def check_type(call: str, name: str, value, types, expected: str):
    """Raise the one error type unless ``value`` is an instance of ``types``."""
    if not isinstance(value, types) or isinstance(value, bool) and bool not in _as_tuple(types):
        raise misuse(call, value, f"{name} must be {expected}")
    return value


def _as_tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def safe_str(value) -> str:
    """``str(value)``, or what python prints when the user's ``__str__`` raises."""
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - the user's __str__ raised
        return "<exception str() failed>"
