"""Diagnosis in Python: ``with tensorsight.explain(): ...`` and ``with tensorsight.watch() as w: ...``."""
from __future__ import annotations

import contextlib
import sys

from . import checks
from ..findings import Finding, dedupe
from .watch import StopRun, Watcher


def render(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"tensorsight {f.severity} [{f.category}] {f.file}:{f.line}: {f.message}")
        for fx in f.fixes:
            lines.append(f"  fix line {fx.line}:  - {fx.old.strip()}")
            lines.append(f"  {' ' * len(str(fx.line))}          + {fx.new.strip()}")
    return "\n".join(lines)


def _with_frame():
    """The user's frame that entered ``with tensorsight.watch()`` (outside contextlib and us)."""
    import os
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    f = sys._getframe(1)
    while f is not None and (f.f_code.co_filename.startswith(here) or "contextlib" in f.f_code.co_filename):
        f = f.f_back
    return f


class Session:
    """What a watch saw: ``findings`` (list of Finding), ``trace`` (the recorded ops)."""

    def __init__(self, watcher: Watcher):
        self.watcher = watcher
        self.findings: list[Finding] = []

    @property
    def trace(self):
        return self.watcher.trace


@contextlib.contextmanager
def explain(stream=None):
    """Explain a shape exception raised in the block: the root-cause line, shapes and a fix.

    The exception still propagates, with the diagnosis attached as a note (shown under the
    traceback) and printed to ``stream`` (stderr by default).
    """
    with watch(stream=stream, report_warnings=False, print_errors=False) as session:
        yield session


@contextlib.contextmanager
def watch(max_steps: int | None = None, stream=None, report_warnings: bool = True, print_errors: bool = True):
    """Watch a training loop: silent shape bugs are reported at the first optimizer step;
    a shape crash is explained. ``session.findings`` holds everything found."""
    stream = stream or sys.stderr
    watcher = Watcher(max_steps=max_steps)
    watcher.stream = stream
    watcher.recorder.stop = (_with_frame(), True)
    checks.install(watcher)
    session = Session(watcher)
    try:
        with watcher:
            yield session
    except StopRun:
        session.findings = dedupe(checks.final_findings(watcher))
        return
    except Exception as exc:
        found = checks.diagnose_crash(watcher, exc)
        session.findings = dedupe(found + checks.final_findings(watcher))
        errors = [f for f in session.findings if f.severity == "error"] or session.findings
        if errors:
            text = render(errors)
            exc.add_note(text)
            if print_errors:
                print(text, file=stream)
        raise
    session.findings = dedupe(checks.final_findings(watcher))
    if report_warnings:
        shown = [f for f in session.findings if f.severity != "info"]
        if shown:
            print(render(shown), file=stream)
