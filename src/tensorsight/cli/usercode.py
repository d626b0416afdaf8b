"""The user's own exceptions, shown as theirs: their traceback without tensorsight's frames.

Used for what the user's code raises outside a traced forward pass (importing TARGET, building
the model) and by ``run`` for the script's crash. Also: dying by SIGINT as python does.
"""
from __future__ import annotations

import os
import signal
import sys
import traceback

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_HIDDEN = ("<frozen importlib", "<frozen runpy", os.sep + "runpy.py", os.sep + "importlib" + os.sep)


def own_frame(filename: str) -> bool:
    """A frame of tensorsight itself or of the import machinery: not the user's."""
    return filename.startswith(_PACKAGE_DIR) or any(h in filename for h in _HIDDEN)


def format_user_traceback(exc: BaseException) -> str:
    """``Traceback (most recent call last): ...`` as python prints it, minus our own frames,
    with the chained causes python would show."""
    return "".join(_format(exc, set()))


def _format(exc: BaseException, seen: set) -> list[str]:
    seen.add(id(exc))
    out: list[str] = []
    cause, context = exc.__cause__, exc.__context__
    if cause is not None and id(cause) not in seen:
        out += _format(cause, seen)
        out.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not exc.__suppress_context__ and id(context) not in seen:
        out += _format(context, seen)
        out.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not own_frame(f.filename)]
    if frames:
        out.append("Traceback (most recent call last):\n")
        out += traceback.format_list(frames)
    out += format_exception_only(exc)
    return out


def format_exception_only(exc: BaseException) -> list[str]:
    """As traceback.format_exception_only, also when the exception's ``__str__`` raises
    (python then prints ``<exception str() failed>``)."""
    try:
        return traceback.format_exception_only(type(exc), exc)
    except Exception:  # noqa: BLE001 - the user's __str__ is broken; say so as python does
        return [f"{_qualname(type(exc))}: <exception str() failed>\n"]


def _qualname(cls) -> str:
    mod = getattr(cls, "__module__", "builtins")
    name = getattr(cls, "__qualname__", cls.__name__)
    return name if mod in ("builtins", "__main__") else f"{mod}.{name}"


def safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001
        return "<exception str() failed>"


def die_by_sigint() -> None:
    """End the process as python does after an uncaught KeyboardInterrupt: killed by SIGINT
    with the default handler, so the shell sees the signal (status 130) and stops a loop."""
    sys.stdout.flush()
    sys.stderr.flush()
    if hasattr(signal, "SIGINT") and hasattr(os, "kill"):
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    sys.exit(130)  # pragma: no cover - where signals cannot kill us
