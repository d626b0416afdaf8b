#!/usr/bin/env python3
"""Score tensorsight's diagnosis on the project's own corpus, one line per split.

Each case folder holds program.py, fixed.py (crash and silent cases) and meta.json, as in
../shared/cases. A case is scored through the CLI, exactly as a user drives it:

  tensorsight run --json report.json program.py     -> which lines were reported
  tensorsight fix --write program.py; python program.py
                                                     -> does the fixed program run clean?

crash/silent: *localized* when a reported line is the fault or the symptom line, *root cause*
when it is the fault line, *fixed* when the fixed program runs (and, for silent cases, `run`
then reports nothing) after changing at most 8 lines. correct: passes when nothing at
warning or error level is reported.

  python tests/corpus/score.py [--split dev|heldout|all] [--jobs 2] [--only ID ...] [--json OUT]

The held-out split is for scoring only: never tune the diagnosis on it.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import difflib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MAX_CHANGED_LINES = 8
ENV = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def _run(cmd, cwd, timeout):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=ENV,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"


def _findings(path: Path):
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        return None, f"no readable JSON report ({e.__class__.__name__})"
    return [f for f in data.get("findings", []) if f.get("severity") in ("error", "warning")], None


def _changed(before: str, after: str) -> int:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return sum(1 for l in diff if l[:1] in "+-" and not l.startswith(("+++", "---")))


def score_case(case: Path, cmd: list[str], python: str, timeout: int) -> dict:
    meta = json.loads((case / "meta.json").read_text())
    kind = meta["kind"]
    r = {"id": meta.get("id", case.name), "split": case.parent.name, "kind": kind,
         "category": meta.get("category")}
    source = (case / "program.py").read_text()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "program.py").write_text(source)
        code, out = _run(cmd + ["run", "--json", "report.json", "program.py"], work, timeout)
        found, err = _findings(work / "report.json")
        if found is None:
            r.update(ok=False, why=f"run: {err}; exit {code}: {out.strip()[-300:]}")
            return r
        lines = {f.get("line") for f in found if str(f.get("file", "program.py")).endswith("program.py")}
        r["reported"] = sorted(l for l in lines if isinstance(l, int))
        if kind == "correct":
            r["ok"] = not found
            if found:
                r["why"] = "false alarm: " + "; ".join(f"{f.get('line')}: {f.get('message', '')[:100]}" for f in found)
            return r
        targets = {meta.get("fault_line"), meta.get("symptom_line")} - {None}
        r["localized"] = bool(lines & targets)
        r["root_cause"] = meta.get("fault_line") in lines
        fixdir = work / "fix"
        fixdir.mkdir()
        (fixdir / "program.py").write_text(source)
        _run(cmd + ["fix", "--write", "program.py"], fixdir, timeout)
        after = (fixdir / "program.py").read_text()
        n = _changed(source, after)
        why, fixed = "", False
        if after == source:
            why = "fix changed nothing"
        elif n > MAX_CHANGED_LINES:
            why = f"fix changed {n} lines"
        else:
            pcode, pout = _run([python, "program.py"], fixdir, timeout)
            if pcode != 0:
                tail = pout.strip().splitlines()[-1][:160] if pout.strip() else f"exit {pcode}"
                why = "fixed program fails: " + tail
            elif kind == "silent":
                _run(cmd + ["run", "--json", "after.json", "program.py"], fixdir, timeout)
                again, err = _findings(fixdir / "after.json")
                if again:
                    why = "still reports: " + again[0].get("message", "")[:120]
                elif again is None:
                    why = f"re-run: {err}"
                else:
                    fixed = True
            else:
                fixed = True
        r["fixed"] = fixed
        r["ok"] = r["localized"] and fixed
        if not r["localized"]:
            why = f"reported {r['reported']}, fault at {sorted(targets)}; " + why
        if why:
            r["why"] = why.strip("; ")
        return r


def summarise(results: list[dict]) -> list[str]:
    out = []
    for split in sorted({r["split"] for r in results}):
        rows = [r for r in results if r["split"] == split]
        parts = []
        for kind in ("crash", "silent"):
            ks = [r for r in rows if r["kind"] == kind]
            if ks:
                n = len(ks)
                c = lambda key: sum(1 for r in ks if r.get(key))
                parts.append(f"{kind} {n}: localized {c('localized')} ({100 * c('localized') // n} %), "
                             f"root cause {c('root_cause')} ({100 * c('root_cause') // n} %), "
                             f"fixed {c('fixed')} ({100 * c('fixed') // n} %)")
        ok = [r for r in rows if r["kind"] == "correct"]
        if ok:
            parts.append(f"correct {len(ok)}: no false alarm {sum(r['ok'] for r in ok)}")
        out.append(f"{split:8} " + "; ".join(parts))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="all", choices=["dev", "heldout", "all"])
    ap.add_argument("--cases", default=None, help="score this folder of cases instead")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--kind", default=None, choices=["crash", "silent", "correct"])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--json", default=None)
    ap.add_argument("--cmd", default=None, help="how to call tensorsight")
    args = ap.parse_args(argv)
    venv = ROOT / ".venv" / "bin"
    cmd = shlex.split(args.cmd) if args.cmd else (
        [str(venv / "tensorsight")] if (venv / "tensorsight").exists() else [sys.executable, "-m", "tensorsight"])
    python = str(venv / "python") if (venv / "python").exists() else sys.executable
    if args.cases:
        folders = [Path(args.cases)]
    else:
        folders = [HERE / s for s in (("dev", "heldout") if args.split == "all" else (args.split,))]
    cases = sorted(p for f in folders if f.is_dir() for p in f.iterdir() if (p / "meta.json").exists())
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    if args.kind:
        cases = [c for c in cases if json.loads((c / "meta.json").read_text())["kind"] == args.kind]
    results = []
    with cf.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for r in pool.map(lambda c: score_case(c, cmd, python, args.timeout), cases):
            results.append(r)
            mark = "ok " if r["ok"] else "BAD"
            print(f"{mark} {r['split']:7} {r['kind']:7} {r['id']}" + ("" if r["ok"] else f"  — {r.get('why', '')}"),
                  flush=True)
    print()
    for line in summarise(results):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    passed = sum(1 for r in results if r["ok"])
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
