"""``tensorsight fix SCRIPT [--write]``: the diagnosis's code fixes as a diff, or applied and re-verified."""
from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile


def register(sub) -> None:
    p = sub.add_parser("fix", help="print (or --write) the code fixes for a script's shape bugs",
                       description="Run SCRIPT with diagnosis, print its fixes as a unified diff; with --write "
                                   "apply them (keeping SCRIPT.orig; SCRIPT.orig.1, ... when a backup exists), re-run and repeat until it runs clean.")
    p.add_argument("--write", action="store_true", help="apply the fixes, re-run, repeat")
    p.add_argument("--rounds", type=int, default=6, help="at most this many fix-and-rerun rounds (default 6)")
    p.add_argument("--max-steps", type=int, default=None, metavar="N",
                   help="stop each diagnostic run after N optimizer steps")
    p.add_argument("script", metavar="SCRIPT")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS")
    p.set_defaults(func=run)


def diagnose(script: str, argv: list[str], max_steps: int | None) -> dict:
    """One diagnostic run in a fresh interpreter (a fixed module must be imported anew)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        cmd = [sys.executable, "-m", "tensorsight", "run", "--json", out]
        if max_steps:
            cmd += ["--max-steps", str(max_steps)]
        subprocess.run(cmd + [script, *argv], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        try:
            with open(out) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {"status": "crashed", "exception": None, "findings": []}


def collect_fixes(report: dict) -> list[dict]:
    fixes, lines = [], set()
    for f in report.get("findings", []):
        if f.get("severity") not in ("error", "warning"):
            continue
        for fx in f.get("fixes", []):
            key = (os.path.realpath(fx["file"]), fx["line"])
            if key in lines:
                continue
            lines.add(key)
            fixes.append(fx)
    return fixes


def apply(fixes: list[dict], texts: dict) -> int:
    """Apply each fix to its file's lines (``texts``: path -> SourceFile, read as Python reads
    it: encoding, BOM, line endings kept); a fix applies only where the line is still ``old``."""
    from ..diagnose.edit import source_file
    applied = 0
    for fx in fixes:
        path = os.path.realpath(fx["file"])
        if path not in texts:
            try:
                texts[path] = source_file.read(path)
            except (OSError, UnicodeError, LookupError):
                continue
        lines = texts[path].lines
        i = fx["line"] - 1
        if 0 <= i < len(lines) and lines[i] == fx["old"]:
            lines[i] = fx["new"]
            applied += 1
    return applied


def parses(data: bytes | str, path: str) -> bool:
    try:
        compile(data, path, "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def write_fixed(path: str, src, write: bool, originals: dict[str, str]) -> bool:
    """Show the diff of one fixed file; with ``write``, back it up (numbered, never replacing a
    backup) and write it in its own encoding and line endings. True when the file was written."""
    from ..diagnose.edit import source_file
    from ..errors import TensorsightError
    try:
        old = source_file.read(path)
    except (OSError, UnicodeError, LookupError):
        return False
    if src.lines == old.lines:
        return False
    why = source_file.encodable(src)
    if why:
        print(f"tensorsight: {why}; left it unchanged", file=sys.stderr)
        return False
    data = src.encoded()
    if not parses(data, path):
        print(f"tensorsight: a fix would break {path}; left it unchanged", file=sys.stderr)
        return False
    shown = os.path.relpath(path)
    sys.stdout.writelines(difflib.unified_diff([line + "\n" for line in old.lines],
                                              [line + "\n" for line in src.lines],
                                              fromfile=shown, tofile=shown))
    if not write:
        return False
    try:
        source_file.check_writable(path)
    except TensorsightError as exc:
        print(f"tensorsight: {exc}; left it unchanged", file=sys.stderr)
        return False
    if path not in originals:
        originals[path] = source_file.backup(path)
    source_file.write(src)
    return True


def run(args) -> int:
    from ..errors import TensorsightError
    if not os.path.isfile(args.script):
        raise TensorsightError(f"no such script {args.script!r}")
    if args.rounds < 1:
        raise TensorsightError(f"--rounds {args.rounds} must be 1 or more")
    if args.write:
        from ..diagnose.edit import source_file
        source_file.check_writable(args.script)  # before the first run, before any backup
    originals: dict[str, str] = {}
    rounds = args.rounds if args.write else 1
    report: dict = {}
    for _ in range(rounds):
        report = diagnose(args.script, args.args, args.max_steps)
        fixes = collect_fixes(report)
        if not fixes:
            break
        texts: dict[str, list[str]] = {}
        if not apply(fixes, texts):
            break
        changed = False
        for path, src in texts.items():
            if write_fixed(path, src, args.write, originals):
                changed = True
        if not args.write or not changed:
            break
    if args.write:
        left = [f for f in report.get("findings", []) if f.get("severity") in ("error", "warning")]
        status = report.get("status")
        if originals:
            print(f"tensorsight: fixed {len(originals)} file(s); backups: "
                  + ", ".join(os.path.relpath(b) for b in originals.values()), file=sys.stderr)
        if status == "crashed" or left:
            print("tensorsight: issues remain after fixing; run `tensorsight run` to see them", file=sys.stderr)
            return 1
    return 0
