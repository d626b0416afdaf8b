"""Run a user's script exactly as ``python SCRIPT ARGS`` would, with the watcher on."""
from __future__ import annotations

import os
import runpy
import sys
import traceback
from dataclasses import dataclass, field

from .findings import Finding, dedupe
from .watch import StopRun


@dataclass
class RunReport:
    status: str                       # 'crashed' | 'completed' | 'stopped'
    exception: dict | None = None     # {'type', 'message'}
    findings: list[Finding] = field(default_factory=list)
    exit_code: int = 0
    trace: object = None

    def to_dict(self) -> dict:
        return {"status": self.status, "exception": self.exception,
                "findings": [f.to_dict() for f in self.findings]}


def run_script(script: str, argv: list[str], *, max_steps: int | None = None,
               stream=None) -> RunReport:
    """Execute SCRIPT as __main__; diagnose a shape exception; collect silent-bug warnings."""
    stream = stream or sys.stderr
    path = os.path.abspath(script)
    if not os.path.isfile(script):
        print(f"{sys.executable}: can't open file {script!r}: [Errno 2] No such file or directory", file=stream)
        return RunReport("crashed", {"type": "FileNotFoundError", "message": f"no such file: {script}"},
                         exit_code=2)
    try:
        with open(path, "rb") as f:
            compile(f.read(), path, "exec")
    except SyntaxError as exc:
        traceback.print_exception(type(exc), exc, None, file=stream)
        return RunReport("crashed", {"type": "SyntaxError", "message": str(exc)}, exit_code=1)

    from . import checks  # imported here so torch loads only when a script runs
    from .dist_watch import sharding_warnings, watch_sharded
    from .watch import Watcher
    watcher = Watcher(max_steps=max_steps)
    watcher.stream = stream
    watcher.recorder.stop = (sys._getframe(0), False)  # our caller is not the user's program
    checks.install(watcher)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [script, *argv]
    sys.path.insert(0, os.path.dirname(path))
    status, exc_info, code = "completed", None, 0
    try:
        with watcher, watch_sharded(watcher):  # a torch.distributed rank: DTensor shapes, collectives
            runpy.run_path(path, run_name="__main__")
    except StopRun:
        status = "stopped"
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code not in (None, 0) and not isinstance(exc.code, int):
            print(exc.code, file=stream)
        status = "completed" if code == 0 else "crashed"
        if code != 0:
            exc_info = {"type": "SystemExit", "message": str(exc.code)}
    except KeyboardInterrupt:
        status, code = "stopped", 130
    except BaseException as exc:  # noqa: BLE001 - the user's script crashed: that's what we diagnose
        status, code = "crashed", 1
        exc_info = {"type": type(exc).__name__, "message": str(exc)}
        print_user_traceback(exc, stream)
        watcher.findings_crash = checks.diagnose_crash(watcher, exc)
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    findings = checks.final_findings(watcher) + sharding_warnings(watcher)
    return RunReport(status, exc_info, dedupe(findings), code, watcher.trace)


def print_user_traceback(exc: BaseException, stream) -> None:
    """The traceback as python prints it, without tensorsight's own frames."""
    from ..capture.source import _OWN_DIR
    tb = exc.__traceback__
    frames = [f for f in traceback.extract_tb(tb) if not f.filename.startswith(_OWN_DIR)
              and "runpy" not in f.filename]
    print("Traceback (most recent call last):", file=stream)
    for line in traceback.format_list(frames):
        stream.write(line)
    for line in traceback.format_exception_only(type(exc), exc):
        stream.write(line)
