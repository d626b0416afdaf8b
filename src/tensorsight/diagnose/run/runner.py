"""Run a user's script exactly as ``python SCRIPT ARGS`` would, with the watcher on."""
from __future__ import annotations

import os
import sys
import time
import types
import traceback
from dataclasses import dataclass, field

from ...errors import safe_str
from ..findings import Finding, dedupe
from .watch import StopRun


@dataclass
class RunReport:
    status: str                       # 'crashed' | 'completed' | 'stopped'
    exception: dict | None = None     # {'type', 'message'}
    findings: list[Finding] = field(default_factory=list)
    exit_code: int = 0
    trace: object = None
    interrupted: bool = False          # a KeyboardInterrupt: the process should die by SIGINT

    def to_dict(self) -> dict:
        return {"status": self.status, "exception": self.exception,
                "findings": [f.to_dict() for f in self.findings]}


def run_script(script: str, argv: list[str], *, max_steps: int | None = None,
               stream=None) -> RunReport:
    """Execute SCRIPT as __main__ exactly as ``python SCRIPT ARGS`` does; diagnose a shape
    exception; collect silent-bug warnings.

    As python: ``sys.argv[0]`` is SCRIPT as given, ``sys.path[0]`` the script's folder, the
    ``__main__`` module has python's ``__file__``/``__loader__``/``__builtins__``/``__package__``/
    ``__spec__``, an uncaught exception goes to ``sys.excepthook`` (the script's own, if it set
    one), an exception whose ``__str__`` raises prints ``<exception str() failed>``, and a
    KeyboardInterrupt is reported with ``interrupted`` set (the caller dies by SIGINT)."""
    stream = stream or sys.stderr
    path = os.path.abspath(script)
    if os.path.isdir(script):
        print(f"{sys.executable}: can't find '__main__' module in {script!r}", file=stream)
        return RunReport("crashed", {"type": "FileNotFoundError", "message": f"no __main__ in folder: {script}"},
                         exit_code=1)
    if not os.path.isfile(script):
        print(f"{sys.executable}: can't open file {path!r}: [Errno 2] No such file or directory", file=stream)
        return RunReport("crashed", {"type": "FileNotFoundError", "message": f"no such file: {script}"},
                         exit_code=2)
    try:
        with open(path, "rb") as f:
            code = compile(f.read(), path, "exec")
    except OSError as exc:
        print(f"{sys.executable}: can't open file {path!r}: [Errno {exc.errno}] {exc.strerror}", file=stream)
        return RunReport("crashed", {"type": type(exc).__name__, "message": str(exc)}, exit_code=2)
    except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte in the source
        traceback.print_exception(type(exc), exc, None, file=stream)
        return RunReport("crashed", {"type": type(exc).__name__, "message": str(exc)}, exit_code=1)

    from . import checks  # imported here so torch loads only when a script runs
    from .dist_watch import sharding_warnings, watch_sharded
    from .watch import Watcher
    watcher = Watcher(max_steps=max_steps)
    watcher.stream = stream
    watcher.recorder.stop = (sys._getframe(0), False)  # our caller is not the user's program
    checks.install(watcher)
    saved_argv, saved_path, saved_main = sys.argv[:], sys.path[:], sys.modules.get("__main__")
    saved_hook = sys.excepthook
    main = main_module(path)
    sys.argv = [script, *argv]
    sys.path.insert(0, os.path.dirname(os.path.realpath(path)))
    sys.modules["__main__"] = main
    status, exc_info, code_out, interrupted = "completed", None, 0, False
    started = time.monotonic()
    try:
        with watcher, watch_sharded(watcher):  # a torch.distributed rank: DTensor shapes, collectives
            exec(code, main.__dict__)
    except StopRun:
        status = "stopped"
    except SystemExit as exc:
        code_out = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code not in (None, 0) and not isinstance(exc.code, int):
            print(safe_str(exc.code), file=stream)
        status = "completed" if code_out == 0 else "crashed"
        if code_out != 0:
            exc_info = {"type": "SystemExit", "message": safe_str(exc.code)}
    except KeyboardInterrupt as exc:
        status, code_out, interrupted = "stopped", 130, True
        exc_info = {"type": "KeyboardInterrupt", "message": safe_str(exc)}
        report_uncaught(exc, stream)
    except BaseException as exc:  # noqa: BLE001 - the user's script crashed: that's what we diagnose
        status, code_out = "crashed", 1
        exc_info = {"type": type(exc).__name__, "message": safe_str(exc)}
        report_uncaught(exc, stream)
        try:
            watcher.findings_crash = checks.diagnose_crash(watcher, exc)
        except Exception:  # noqa: BLE001 - e.g. an exception whose __str__ raises: no diagnosis
            watcher.findings_crash = []
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        sys.excepthook = saved_hook
    findings = dedupe(checks.final_findings(watcher) + sharding_warnings(watcher))
    ended = status == "completed" and code_out == 0 or status == "stopped" and not interrupted
    if ended and any(f.severity == "warning" and f.fixes for f in findings):
        # the run ended on its own: each warning's fix is re-run before it is offered
        from ..repair.validate import Script
        from .verify import verify
        rerun = Script(path, list(argv), os.getcwd(), max_steps)
        findings = dedupe(verify(findings, rerun, time.monotonic() - started))
    report = RunReport(status, exc_info, findings, code_out, watcher.trace)
    report.interrupted = interrupted
    return report


def main_module(path: str) -> types.ModuleType:
    """A fresh ``__main__`` with the attributes python gives a script's module."""
    import builtins
    from importlib.machinery import SourceFileLoader
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__cached__ = None
    main.__loader__ = SourceFileLoader("__main__", path)
    main.__package__ = None
    main.__spec__ = None
    main.__builtins__ = builtins
    main.__annotations__ = {}  # python's startup gives __main__ an empty one
    return main


def report_uncaught(exc: BaseException, stream) -> None:
    """What python does with an uncaught exception: ``sys.excepthook(type, value, tb)``. The
    script's own hook gets the traceback from its first frame on; the default one prints it
    without tensorsight's frames."""
    hook = sys.excepthook
    if hook is not sys.__excepthook__:
        tb = exc.__traceback__
        from ...cli.usercode import own_frame
        while tb is not None and own_frame(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        try:
            hook(type(exc), exc, tb)
            return
        except BaseException as hook_exc:  # noqa: BLE001 - as python: report the hook's failure too
            print("Error in sys.excepthook:", file=stream)
            print_user_traceback(hook_exc, stream)
            print("\nOriginal exception was:", file=stream)
    print_user_traceback(exc, stream)


def print_user_traceback(exc: BaseException, stream) -> None:
    """The traceback as python prints it (chained causes too), without tensorsight's frames."""
    from ...cli.usercode import format_user_traceback
    stream.write(format_user_traceback(exc))
