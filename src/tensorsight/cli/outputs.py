"""Output files (--html, --svg, --png, --json, --save): checked and resolved before any work.

Each path is made absolute when the command starts (a script that chdir's does not move it),
and refused in one sentence when it cannot be written: a folder that does not exist, a folder
given as the file, a place we may not write, or one of the user's own input files. A write that
still fails later (a full disk) is one sentence too.
"""
from __future__ import annotations

import os
import stat
import tempfile

from ..errors import TensorsightError


def writable(path: str) -> bool:
    """True when ``path`` can be written: tried, not guessed (root, ACLs, read-only mounts).
    A file with no write permission bit at all counts as read-only even for root."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError:
        return False
    if st is not None:
        if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o222:
            return False
        try:
            with open(path, "ab"):
                pass
        except OSError:
            return False
        return True
    # A probe under its own name: several ranks of one torchrun job check the same --json path
    # at once, and probing the path itself would make one rank's probe another's "exists".
    try:
        fd, probe = tempfile.mkstemp(prefix=".tensorsight-probe-", dir=os.path.dirname(path) or ".")
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def output_path(path: str | None, flag: str, inputs: tuple[str, ...] = ()) -> str | None:
    """The absolute path for ``flag FILE``, or TensorsightError saying why it cannot be written."""
    if path is None:
        return None
    if not path.strip():
        raise TensorsightError(f"{flag} needs a file name, got an empty one")
    full = os.path.abspath(os.path.expanduser(path))
    folder = os.path.dirname(full)
    if os.path.isdir(full) or path.endswith(os.sep):
        raise TensorsightError(f"cannot write {flag} {path!r}: it is a folder; give a file name, e.g. {flag} "
                               f"{os.path.join(path, 'out' + _suffix(flag))}")
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise TensorsightError(f"cannot write {flag} {path!r}: the folder {folder!r} {what}")
    for given in inputs:
        if given and os.path.exists(given) and os.path.exists(full) and os.path.samefile(given, full):
            raise TensorsightError(f"cannot write {flag} {path!r}: it is your input file {given!r}, which "
                                   f"writing there would overwrite; give another name")
    if full.endswith((".py", ".pyw")) and os.path.exists(full):
        raise TensorsightError(f"cannot write {flag} {path!r}: it is Python source, which this would "
                               f"overwrite; give another name")
    if not writable(full):
        raise TensorsightError(f"cannot write {flag} {path!r}: permission denied or read-only")
    return full


def resolve_outputs(args, flags: tuple[str, ...], inputs: tuple[str, ...] = ()) -> None:
    """Check and make absolute every ``--flag`` of ``args`` in place, before any work starts."""
    seen: dict[str, str] = {}
    for flag in flags:
        attr = flag.lstrip("-").replace("-", "_")
        value = output_path(getattr(args, attr, None), flag, inputs)
        if value is not None:
            if value in seen:
                raise TensorsightError(f"{seen[value]} and {flag} name the same file {getattr(args, attr)!r}")
            seen[value] = flag
        setattr(args, attr, value)


def write_text(path: str, text: str, flag: str = "") -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise TensorsightError(f"cannot write {flag + ' ' if flag else ''}{path}: {exc.strerror or exc}") from None


def write_png(draw, path: str) -> None:
    """Run ``draw()`` (which saves ``path``), turning a failed write into one sentence."""
    try:
        draw()
    except OSError as exc:
        raise TensorsightError(f"cannot write --png {path}: {exc.strerror or exc}") from None


def _suffix(flag: str) -> str:
    return {"--html": ".html", "--svg": ".svg", "--png": ".png", "--json": ".json", "--save": ".pt"}.get(flag, "")
