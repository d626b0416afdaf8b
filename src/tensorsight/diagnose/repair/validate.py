"""Validate a candidate fix by re-running the user's script with the edit applied, in memory.

A fresh interpreter would pay for ``import torch`` (about 2 s) per candidate, so the diagnosing
process forks instead: the child already has torch imported, re-executes the *edited* source as
``__main__`` (compiled with the original file name, so line numbers match), under a fresh
watcher, and reports back through a pipe. The child

- never writes the user's source files (the edit lives only in the child's memory), nor any
  other file of theirs: what the script writes goes to a scratch folder (repair/scratch.py);
- runs each DataLoader pass over its first batches and its last (possibly partial) one, and
  stops after a few optimizer steps when the original crash came before any step;
- is silenced (stdout/stderr go to /dev/null), leads its own process group, and is killed with
  SIGKILL when it runs past its time limit; the parent always reaps it (waitpid).
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
import types
from dataclasses import dataclass, field

from ..findings import Fix

# batches of each DataLoader pass the child runs: the first ones, then the last one
HEAD_BATCHES = 2


@dataclass
class Outcome:
    status: str                    # 'clean', 'crashed', 'timeout', 'error'
    exc_type: str = ""
    message: str = ""
    line: int | None = None        # innermost line of the edited script in the traceback
    findings: list[dict] = field(default_factory=list)   # errors/warnings the re-run reported
    followups: list[list[dict]] = field(default_factory=list)  # fixes a rule proposes for a new crash
    seconds: float = 0.0           # wall-clock time of the re-run
    cpu: float = 0.0               # CPU time the child used

    @property
    def clean(self) -> bool:
        return self.status == "clean" and not self.findings

    @property
    def runs(self) -> bool:
        return self.status == "clean"


@dataclass
class Script:
    """What to re-run: the main script as ``python path *argv`` in ``cwd``."""
    path: str
    argv: list[str]
    cwd: str
    step_cap: int | None      # stop after this many optimizer steps (None: run to the end)


def edited_text(path: str, fixes: list[Fix]) -> str | None:
    """The file's text with ``fixes`` applied, or None when a fix's old line is not there."""
    from ..edit import source_file
    try:  # the file's own encoding (BOM, coding cookie) and line splitting, as python reads it
        lines = list(source_file.read(path).lines)
    except (OSError, UnicodeError, LookupError, SyntaxError):
        return None
    for fx in fixes:
        i = fx.line - 1
        if not (0 <= i < len(lines)) or lines[i] != fx.old:
            return None
        lines[i] = fx.new
    return "\n".join(lines)


def run_candidate(script: Script, fixes: list[Fix], limit_s: float, diagnose_new=None,
                  cpu_s: float | None = None) -> Outcome:
    """Fork, re-run the edited script in the child, collect its outcome (never raises).

    ``limit_s`` bounds the wall-clock time (a child that sleeps forever), ``cpu_s`` its CPU time
    (the kernel stops a child that computes forever)."""
    by_file: dict[str, list[Fix]] = {}
    for fx in fixes:
        by_file.setdefault(os.path.realpath(fx.file), []).append(fx)
    sources = {}
    for path, fxs in by_file.items():
        text = edited_text(path, fxs)
        if text is None:
            return Outcome("error", message="the edit does not apply")
        sources[path] = text
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream: nothing to flush
            pass
    start = time.monotonic()
    folder = tempfile.mkdtemp(prefix="tensorsight-rerun-")  # what the child writes (repair/scratch.py)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(r)
        _child(script, sources, w, diagnose_new, cpu_s, folder)
    os.close(w)
    data = b""
    timed_out = False
    try:
        deadline = start + limit_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([r], [], [], left)
            if not ready:
                continue
            chunk = os.read(r, 65536)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(r)
        if timed_out:
            _kill(pid)
        cpu = _reap(pid)
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.monotonic() - start
    if timed_out:
        return Outcome("timeout", message=f"cut off after {limit_s:.1f} s", seconds=seconds, cpu=cpu)
    try:
        out = json.loads(data.decode("utf-8"))
    except ValueError:
        return Outcome("timeout", message="the re-run was stopped (time limit) or died without a report",
                       seconds=seconds, cpu=cpu)
    return Outcome(out.get("status", "error"), out.get("exc_type", ""), out.get("message", ""), out.get("line"),
                   out.get("findings", []), out.get("followups", []), seconds, cpu)


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError, OSError):
            pass


def _reap(pid: int) -> float:
    """Wait for the child; its CPU time (user + system)."""
    cpu = 0.0
    try:
        _, _, usage = os.wait4(pid, 0)
        cpu = usage.ru_utime + usage.ru_stime
    except ChildProcessError:
        pass
    # the child's process group may hold DataLoader workers: end them too
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    return cpu


# -- the child ---------------------------------------------------------------------------------
def _child(script: Script, sources: dict[str, str], w: int, diagnose_new, cpu_s: float | None,
           folder: str) -> None:
    report: dict = {"status": "error"}
    try:
        os.setpgid(0, 0)
        if cpu_s is not None:
            import math
            import resource
            used = resource.getrusage(resource.RUSAGE_SELF)
            limit = int(math.ceil(used.ru_utime + used.ru_stime + max(cpu_s, 0.5)))
            resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
            signal.signal(signal.SIGXCPU, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        sys.stdout = open(os.devnull, "w")
        sys.stderr = open(os.devnull, "w")
        os.environ["TENSORSIGHT_VALIDATING"] = "1"
        report = _rerun(script, sources, diagnose_new, folder)
    except BaseException as exc:  # noqa: BLE001 - the child reports, never raises
        report = {"status": "error", "message": f"{type(exc).__name__}: {exc}"}
    try:
        payload = json.dumps(report, default=str).encode("utf-8")
        view = memoryview(payload)
        while view:
            n = os.write(w, view)
            view = view[n:]
    finally:
        os._exit(0)


def _rerun(script: Script, sources: dict[str, str], diagnose_new, folder: str) -> dict:
    import builtins
    import traceback

    import torch

    from ..run import checks
    from ..run.watch import StopRun, Watcher
    torch.set_num_threads(1)
    from ..edit import edits
    main_path = os.path.realpath(script.path)
    for path, text in sources.items():
        try:
            edits.prime(path, text)
            if path == main_path:
                edits.prime(script.path, text)
        except Exception:  # noqa: BLE001 - follow-up fixes will then read the file as it is
            pass
    for path, text in sources.items():
        if path != main_path:
            _replace_module(path, text)
    main_text = sources.get(main_path)
    if main_text is None:
        from ..edit import source_file
        main_text = source_file.read_text(main_path)
    code = compile(main_text, script.path, "exec")
    main = types.ModuleType("__main__")
    main.__dict__.update({"__file__": script.path, "__builtins__": builtins, "__cached__": None,
                          "__loader__": None, "__spec__": None, "__package__": None})
    sys.modules["__main__"] = main
    sys.argv = [script.path, *script.argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script.path)))
    os.chdir(script.cwd)
    _limit_loaders()
    from .scratch import redirect_writes
    redirect_writes(folder)
    watcher = Watcher(max_steps=script.step_cap)
    watcher.stream = sys.stderr
    watcher.recorder.stop = (sys._getframe(0), False)
    checks.install(watcher)
    report: dict = {"status": "clean"}
    try:
        with watcher:
            exec(code, main.__dict__)
    except StopRun:
        pass
    except SystemExit as exc:
        if exc.code not in (None, 0):
            report = {"status": "crashed", "exc_type": "SystemExit", "message": str(exc.code)}
    except BaseException as exc:  # noqa: BLE001 - the edited script crashed: report where
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.realpath(f.filename) in sources
                  or os.path.realpath(f.filename) == main_path]
        report = {"status": "crashed", "exc_type": type(exc).__name__, "message": str(exc).split("\n")[0][:300],
                  "line": frames[-1].lineno if frames else None}
        if diagnose_new is not None:
            try:
                report["followups"] = diagnose_new(watcher, exc)
            except Exception:  # noqa: BLE001
                pass
        return report
    found = []
    try:
        for f in checks.final_findings(watcher):
            if f.severity in ("error", "warning"):
                found.append({"severity": f.severity, "category": f.category, "line": f.line,
                              "message": f.message[:200]})
    except Exception:  # noqa: BLE001
        pass
    report["findings"] = found
    return report


def _replace_module(path: str, text: str) -> None:
    """An edited helper module of the script: execute the edited text as that module."""
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        if f and os.path.realpath(f) == path:
            fresh = types.ModuleType(name)
            fresh.__file__ = f
            sys.modules[name] = fresh
            exec(compile(text, f, "exec"), fresh.__dict__)
            return
    # not imported yet: drop a stale cache so the import reads the edited text from memory
    import importlib.abc
    import importlib.util

    class _Edited(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, fullname, target=None, path_=None, *a):
            if fullname.rsplit(".", 1)[-1] == os.path.splitext(os.path.basename(path))[0]:
                return importlib.util.spec_from_loader(fullname, self, origin=path)
            return None

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            module.__file__ = path
            exec(compile(text, path, "exec"), module.__dict__)
    sys.meta_path.insert(0, _Edited())


def _limit_loaders() -> None:
    """Each pass over a DataLoader yields its first batches and its last one, nothing between.

    The sampler's order is kept (a shuffled loader draws its order as usual); batches are
    collated in this process, so no worker processes are started.
    """
    from torch.utils.data import DataLoader
    orig_iter = DataLoader.__iter__

    def __iter__(loader):
        sampler = getattr(loader, "batch_sampler", None)
        try:
            n = len(sampler) if sampler is not None else None
        except TypeError:
            n = None
        if sampler is None or n is None or n <= HEAD_BATCHES + 1 or loader.collate_fn is None:
            return _head(orig_iter(loader), HEAD_BATCHES + 1)
        batches = list(sampler)
        keep = batches[:HEAD_BATCHES] + batches[-1:]
        ds, collate = loader.dataset, loader.collate_fn
        return (collate([ds[i] for i in b]) for b in keep)
    DataLoader.__iter__ = __iter__


def _head(it, n):
    for i, item in enumerate(it):
        if i >= n:
            return
        yield item
