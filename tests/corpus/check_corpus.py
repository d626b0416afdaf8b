"""Verify every case of the corpus is what its meta.json says.

For each tests/corpus/<split>/<id>/: program.py must exit non-zero with the meta's error type
in stderr and the innermost program.py frame of the traceback at symptom_line (crash cases);
fixed.py must exit 0 within 60 s; the fix may change at most 4 lines (counted with difflib the
way ../shared/eval/score counts: added + removed lines <= 8); fix.line == fault_line and
program.py's line fault_line, stripped, == fix.old; the case sits in the split its id hashes to.

Usage: OMP_NUM_THREADS=1 python tests/corpus/check_corpus.py [--dir FOLDER] [ID ...]

--dir checks the cases of another folder (e.g. tests/corpus/para, paraphrases of dev cases):
there the split rule does not apply, and each case names its original in `paraphrase_of`.
"""
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "heldout")
MAX_CHANGED_LINES = 4
TIMEOUT_S = 60
ENV = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
FRAME = re.compile(r'File "[^"]*program\.py", line (\d+)')


def split_of(case_id: str) -> str:
    return "heldout" if int(hashlib.sha1(case_id.encode()).hexdigest(), 16) % 3 == 0 else "dev"


def changed_lines(before: str, after: str) -> int:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return sum(1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---")))


def run(src: Path, name: str):
    """Run a copy of src as `program.py` in a scratch folder (as the scorer does)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "program.py").write_text(src.read_text())
        try:
            p = subprocess.run([sys.executable, "program.py"], cwd=tmp, capture_output=True,
                               text=True, timeout=TIMEOUT_S, env=ENV)
        except subprocess.TimeoutExpired:
            return None, f"{name} timed out after {TIMEOUT_S} s"
        return p.returncode, p.stderr


def check(case: Path, split_rule: bool = True) -> list:
    problems = []
    meta = json.loads((case / "meta.json").read_text())
    cid = meta.get("id")
    if cid != case.name:
        problems.append(f"id {cid!r} != folder name")
    if not split_rule:
        if not (HERE / "dev" / str(meta.get("paraphrase_of")) / "meta.json").exists():
            problems.append(f"paraphrase_of {meta.get('paraphrase_of')!r} is not a dev case")
    elif case.parent.name != split_of(case.name):
        problems.append(f"in {case.parent.name}, its id hashes to {split_of(case.name)}")
    for key in ("source_url", "title", "kind", "error", "fault_line", "symptom_line", "category",
                "fix", "expected_value", "explanation"):
        if key not in meta:
            problems.append(f"meta.json lacks {key}")
    if problems:
        return problems
    program = (case / "program.py").read_text()
    fixed = (case / "fixed.py").read_text()
    lines = program.splitlines()
    if meta["fix"]["line"] != meta["fault_line"]:
        problems.append("fix.line != fault_line")
    if not 1 <= meta["fault_line"] <= len(lines) or lines[meta["fault_line"] - 1].strip() != meta["fix"]["old"]:
        problems.append("program.py line fault_line != fix.old")
    n = changed_lines(program, fixed)
    if n == 0 or n > 2 * MAX_CHANGED_LINES:
        problems.append(f"fixed.py changes {n} diff lines (want 1..{2 * MAX_CHANGED_LINES})")
    if meta["kind"] == "crash":
        code, err = run(case / "program.py", "program.py")
        if code is None or code == 0:
            problems.append(f"program.py did not crash ({err if code is None else 'exit 0'})")
        else:
            etype = meta["error"].split(":", 1)[0].strip()
            if etype not in err:
                problems.append(f"program.py stderr lacks {etype}")
            frames = [int(x) for x in FRAME.findall(err)]
            if not frames or frames[-1] != meta["symptom_line"]:
                problems.append(f"innermost program.py frame {frames[-1:]} != symptom_line {meta['symptom_line']}")
    code, err = run(case / "fixed.py", "fixed.py")
    if code != 0:
        tail = err.strip().splitlines()[-1] if err and err.strip() else ""
        problems.append(f"fixed.py exit {code}: {tail[:200]}")
    return problems


def main(argv):
    folder = None
    if argv[:1] == ["--dir"]:
        folder, argv = Path(argv[1]).resolve(), argv[2:]
    dirs = [folder] if folder else [HERE / s for s in SPLITS]
    cases = sorted(c for d in dirs for c in d.glob("*/") if (c / "meta.json").exists())
    if argv:
        cases = [c for c in cases if c.name in argv]
    bad = 0
    for case in cases:
        problems = check(case, split_rule=folder is None)
        bad += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {case.parent.name}/{case.name}" +
              ("".join(f"\n     - {p}" for p in problems)))
    counts = {s: sum(1 for c in cases if c.parent.name == s) for s in sorted({c.parent.name for c in cases})}
    print(f"{len(cases) - bad}/{len(cases)} cases ok ({counts})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
