"""What `tensorsight run` adds to a crashing script, and how fast the command line starts.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_run_crash.py [--reps 5]

* crash: bench/scripts/crash_first_forward.py crashes at its first forward (a Linear with the
  wrong in_features). Timed as ``python script.py`` and as ``tensorsight run script.py``, each a
  fresh process, whole process wall time, nothing subtracted; both and the difference are reported.
* search: bench/scripts/crash_two_edits.py, whose answer needs the repair search (candidates
  validated by re-running the script in forked children, a two-edit combination among them);
  the difference is what diagnosis, search included, adds (target: at most 3 s).
* ``tensorsight --help`` (target: under 0.5 s), next to ``python -c pass`` (the interpreter's own
  start) for scale.
* ``tensorsight trace examples/lenet.py:Net --input 1x1x32x32 --format json``: the whole command,
  start-up, torch import, trace and output, as a user at a shell sees it.

Runs alternate between the variants; medians of ``reps``. ``main(reps=...)`` returns the rows.
"""
from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _worker import run_process  # noqa: E402
from bench_watch import tensorsight_cmd  # noqa: E402

CRASH = HERE / "scripts" / "crash_first_forward.py"
# a crash the repair search answers with two validated edits (each candidate re-run in a fork)
SEARCH = HERE / "scripts" / "crash_two_edits.py"


def variants() -> list[tuple[str, str, list[str], str]]:
    ts = tensorsight_cmd()
    return [
        ("crash", "python script.py", [sys.executable, str(CRASH)], "crash"),
        ("crash", "tensorsight run script.py", ts + ["run", str(CRASH)], "crash"),
        ("search", "python two_edits.py", [sys.executable, str(SEARCH)], "crash"),
        ("search", "tensorsight run two_edits.py", ts + ["run", str(SEARCH)], "crash"),
        ("cli", "python -c pass", [sys.executable, "-c", "pass"], "ok"),
        ("cli", "tensorsight --help", ts + ["--help"], "ok"),
        ("cli", "tensorsight trace LeNet (whole command)",
         ts + ["trace", "examples/lenet.py:Net", "--input", "1x1x32x32", "--format", "json"], "ok"),
    ]


def main(reps: int = 5, quiet: bool = False) -> list[dict]:
    vs = variants()
    runs: dict[str, list[dict]] = {v[1]: [] for v in vs}
    for rep in range(reps):
        for group, name, cmd, expect in vs:
            res = run_process(cmd, timeout=300, cwd=str(HERE.parent))
            ok = (res["rc"] != 0) if expect == "crash" else (res["rc"] == 0)
            if not ok or res["timed_out"]:
                raise RuntimeError(f"{name}: unexpected exit {res['rc']}:\n{res['stderr'][-2000:]}")
            if expect == "crash" and "mat1 and mat2" not in res["stderr"] and "channels" not in res["stderr"]:
                raise RuntimeError(f"{name}: did not crash as expected:\n{res['stderr'][-2000:]}")
            runs[name].append(res)
            if not quiet:
                print(f"  crash/cli rep {rep + 1}/{reps} {name:40s} {res['wall_s']:6.2f} s (cpu {res['cpu_s']:5.2f})",
                      file=sys.stderr, flush=True)
    rows = []
    for group, name, cmd, expect in vs:
        rs = runs[name]
        rows.append({"group": group, "how": name, "reps": reps,
                     "wall_s": statistics.median(r["wall_s"] for r in rs),
                     "cpu_s": statistics.median(r["cpu_s"] for r in rs),
                     "rss_mb": statistics.median(r["rss_mb"] for r in rs),
                     "wall_min": min(r["wall_s"] for r in rs), "wall_max": max(r["wall_s"] for r in rs),
                     "explained": "tensorsight error" in rs[-1]["stderr"]})
    for plain, watched in ((rows[0], rows[1]), (rows[2], rows[3])):
        watched["diff_wall_s"] = watched["wall_s"] - plain["wall_s"]
        watched["diff_cpu_s"] = watched["cpu_s"] - plain["cpu_s"]
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| what | wall s (median) | min–max | CPU s | peak RSS | difference (wall / CPU) |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        diff = (f"{r['diff_wall_s']:+.2f} s / {r['diff_cpu_s']:+.2f} s" if "diff_wall_s" in r else "")
        note = " (crash explained)" if r["explained"] else ""
        lines.append(f"| `{r['how']}`{note} | {r['wall_s']:.2f} | {r['wall_min']:.2f}–{r['wall_max']:.2f} | "
                     f"{r['cpu_s']:.2f} | {r['rss_mb']:.0f} MB | {diff} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    print(markdown(main(a.reps)))
