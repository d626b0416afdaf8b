"""Find the user's source line for an op: the first frame outside torch and tensorsight."""
from __future__ import annotations

import linecache
import os
import sys
import sysconfig

import torch

from .events import Frame

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"]) + os.sep
# the console script that started us (e.g. .venv/bin/tensorsight) is not the user's code either
_BIN_DIRS = tuple({os.path.dirname(os.path.abspath(sys.executable)) + os.sep,
                   os.path.join(sys.prefix, "bin") + os.sep})
_SKIP_PREFIXES = (_TORCH_DIR, _OWN_DIR) + _BIN_DIRS
# Data loading runs the user's Dataset code from inside torch: frames outside that boundary
# (the `for batch in loader` line) say nothing about where a sample's shape came from.
_DATA_DIR = os.path.join(_TORCH_DIR, "utils", "data") + os.sep

_STDLIB_RAW = sysconfig.get_paths()["stdlib"] + os.sep
_user_cache: dict[str, bool] = {}


def _library_file(path: str) -> bool:
    """Torch, tensorsight, the console script or the standard library (not its site-packages).
    Tested on the name as given first: resolving links (``realpath``, a system call per path
    component) is only needed for the names that pass, the user's own files."""
    return path.startswith(_SKIP_PREFIXES) or (path.startswith((_STDLIB, _STDLIB_RAW))
                                                and "site-packages" not in path)


_frame_cache: dict[tuple, Frame] = {}


def is_user_file(filename: str) -> bool:
    """User code: not torch, not tensorsight, not the standard library, not frozen modules.

    Third-party model code (e.g. transformers' modeling files) counts as user code: it is the
    model's source, and the line users want to see.
    """
    hit = _user_cache.get(filename)
    if hit is None:
        if filename.startswith("<") and not filename.startswith("<ipython") and filename != "<stdin>" \
                and not filename.startswith("<string"):
            hit = False
        else:
            hit = not _library_file(filename)
            if hit and os.path.isabs(filename):  # a link into torch or the stdlib: resolve it
                hit = not _library_file(os.path.realpath(filename))
        _user_cache[filename] = hit
    return hit


def make_frame(code, lineno: int) -> Frame:
    # not keyed by the code object: two copies of one script have *equal* code objects
    key = (code.co_filename, code.co_firstlineno, code.co_name, lineno)
    fr = _frame_cache.get(key)
    if fr is None:
        fr = Frame(code.co_filename, lineno, code.co_name, linecache.getline(code.co_filename, lineno).strip())
        _frame_cache[key] = fr
    return fr


def user_stack(depth: int = 1, limit: int = 12, stop=None) -> tuple[Frame, ...]:
    """User frames of the current call stack, outermost first (at most ``limit``).

    ``stop`` = (frame, include): frames beyond it (whoever called ``tensorsight.run_script`` or
    entered ``explain()``) are not the user's program and are left out.
    """
    f = sys._getframe(depth)
    out = []
    stop_frame, include = stop if stop is not None else (None, False)
    while f is not None and len(out) < limit:
        if f is stop_frame:
            if include and is_user_file(f.f_code.co_filename):
                out.append(make_frame(f.f_code, f.f_lineno))
            break
        code = f.f_code
        if is_user_file(code.co_filename):
            out.append(make_frame(code, f.f_lineno))
        elif out and code.co_filename.startswith(_DATA_DIR):
            break
        f = f.f_back
    out.reverse()
    return tuple(out)


def user_frame(depth: int = 1) -> Frame | None:
    """The innermost user frame."""
    f = sys._getframe(depth)
    while f is not None:
        if is_user_file(f.f_code.co_filename):
            return make_frame(f.f_code, f.f_lineno)
        f = f.f_back
    return None
