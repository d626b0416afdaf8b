"""Running the scripts of tests/diagnose/scripts in-process and applying their fixes.

Each test copies its script into ``tmp_path`` (the fixes edit files) and runs it with
``run_script`` as ``tensorsight run`` would. Two things about in-process runs:

- They go through a worker thread, so that no frame of the test (or of pytest, which lives in
  site-packages and so counts as "user code") sits above the script: ``run_script`` called from
  a user frame hoists origins into the caller (see test_api.py / test_contract.py).
- Frame objects are cached per code object and equal code objects of two files compare equal,
  so the cache is cleared before each run (a fixed copy of a script has the same code as the
  original for every function it did not change; see test_contract.py).
"""
from __future__ import annotations

import ast
import contextlib
import io
import os
import shutil
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tensorsight.diagnose.findings import Finding
from tensorsight.diagnose.run.runner import RunReport, run_script

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
REPO = HERE.parent.parent
EXAMPLES = REPO / "examples"


@dataclass
class Run:
    path: Path
    report: RunReport
    stdout: str
    stderr: str     # the diagnosis stream given to run_script (tracebacks)
    printed: str    # what went to sys.stderr meanwhile (first-step warnings are printed there)

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings

    def of(self, category: str, severity: str | None = None) -> list[Finding]:
        return [f for f in self.findings if f.category == category and (severity is None or f.severity == severity)]

    def one(self, category: str, severity: str | None = None) -> Finding:
        hits = self.of(category, severity)
        assert len(hits) == 1, f"want one {category} finding, got:\n{describe(self.findings)}"
        return hits[0]

    @property
    def problems(self) -> list[Finding]:
        """Findings a user must act on (errors and warnings)."""
        return [f for f in self.findings if f.severity in ("error", "warning")]

    def line(self, needle: str) -> int:
        return line_no(self.path, needle)


def fixed_lines(run) -> set[tuple[int, str]]:
    """(line, new text) of every fix the run proposes."""
    return {(fx.line, fx.new.strip()) for f in run.problems for fx in f.fixes}


def describe(findings) -> str:
    if not findings:
        return "  (no findings)"
    out = []
    for f in findings:
        out.append(f"  {f.severity} [{f.category}] {os.path.basename(f.file)}:{f.line}: {f.message}")
        for fx in f.fixes:
            out.append(f"    fix {os.path.basename(fx.file)}:{fx.line}: {fx.old.strip()!r} -> {fx.new.strip()!r}")
    return "\n".join(out)


def copy_script(name: str, dest: Path, source_dir: Path = SCRIPTS) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / Path(name).name
    shutil.copyfile(source_dir / name, target)
    return target


def clear_frame_cache() -> None:
    from tensorsight.capture import source
    source._frame_cache.clear()


def run_path(path: Path, argv=(), max_steps: int | None = None, *, clear_cache: bool = True,
             thread: bool = True) -> Run:
    """Run ``path`` with diagnosis in this interpreter; stdout and the diagnosis stream are captured."""
    if clear_cache:
        clear_frame_cache()
    stream, out, err = io.StringIO(), io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own broadcasting UserWarnings about the buggy scripts
        if thread:
            with ThreadPoolExecutor(1) as pool:
                report = pool.submit(run_script, str(path), list(argv), max_steps=max_steps, stream=stream).result()
        else:
            report = run_script(str(path), list(argv), max_steps=max_steps, stream=stream)
    return Run(Path(path), report, out.getvalue(), stream.getvalue(), err.getvalue())


def diagnose(name: str, tmp_path: Path, argv=(), max_steps: int | None = None, source_dir: Path = SCRIPTS) -> Run:
    return run_path(copy_script(name, tmp_path / "orig", source_dir), argv, max_steps)


def line_no(path: Path, needle: str) -> int:
    lines = Path(path).read_text().split("\n")
    hits = [i + 1 for i, text in enumerate(lines) if needle in text]
    assert len(hits) == 1, f"{needle!r} occurs on lines {hits} of {path}"
    return hits[0]


def apply_fixes(run: Run, findings=None) -> str:
    """The script's text with the fixes of ``findings`` (default: every error and warning) applied,
    as ``tensorsight fix`` applies them (whole lines, old text must match)."""
    findings = run.problems if findings is None else findings
    lines = run.path.read_text().split("\n")
    seen = set()
    for f in findings:
        for fx in f.fixes:
            assert os.path.realpath(fx.file) == os.path.realpath(run.path), \
                f"a fix edits {fx.file}, not the script that ran ({run.path})"
            if fx.line in seen:
                continue
            seen.add(fx.line)
            assert lines[fx.line - 1] == fx.old, \
                f"fix for line {fx.line} expects {fx.old!r}, line is {lines[fx.line - 1]!r}"
            lines[fx.line - 1] = fx.new
    text = "\n".join(lines)
    ast.parse(text)
    return text


def write_round(run: Run, text: str, k: int) -> Path:
    """Write a fixed version next to, not over, the original (fresh path: no stale caches)."""
    path = run.path.parent.parent / f"round{k}" / run.path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@dataclass
class FixResult:
    runs: list[Run] = field(default_factory=list)

    @property
    def first(self) -> Run:
        return self.runs[0]

    @property
    def last(self) -> Run:
        return self.runs[-1]

    def history(self) -> str:
        parts = []
        for i, r in enumerate(self.runs):
            parts.append(f"round {i}: {r.report.status} {r.report.exception}\n{describe(r.findings)}")
        return "\n".join(parts)


def fix_until_clean(run: Run, argv=(), max_steps: int | None = None, rounds: int = 5) -> FixResult:
    """Apply the fixes, re-run the fixed copy, repeat (like ``tensorsight fix --write``)."""
    result = FixResult([run])
    for k in range(1, rounds + 1):
        cur = result.last
        if not any(f.fixes for f in cur.problems):
            break
        text = apply_fixes(cur)
        result.runs.append(run_path(write_round(cur, text, k), argv, max_steps))
    return result


def assert_clean(result: FixResult) -> None:
    """The fixed script runs to the end with exit code 0 and nothing left to report."""
    last = result.last
    assert last.report.status == "completed" and last.report.exit_code == 0, result.history()
    assert last.report.exception is None, result.history()
    assert not last.problems, result.history()
    assert len(result.runs) > 1, "no fix was applied:\n" + result.history()


def changed_lines(before: Path, after: Path) -> list[tuple[str, str]]:
    a, b = before.read_text().split("\n"), after.read_text().split("\n")
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b) if x != y]
