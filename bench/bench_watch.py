"""Watch-mode overhead: a real small CNN trained on the CPU, run plain and under `tensorsight run`.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_watch.py [--reps 5] [--steps 200]

The script is bench/scripts/train_cnn.py (200 steps of SGD, batch 64, MNIST-sized synthetic data).
Each run is a fresh process; plain and watched runs alternate so the machine's load falls on both
alike. Reported: the whole process (wall and CPU, start-up included) and the training loop alone
(timed by the script itself, so start-up costs are left out), medians, and the overhead in percent.
``main(reps=..., steps=...)`` returns the rows as dicts for bench/run.py.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _worker import run_together  # noqa: E402

SCRIPT = HERE / "scripts" / "train_cnn.py"


def tensorsight_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("tensorsight")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tensorsight"]


def _loop(res: dict) -> dict:
    for line in reversed(res["stdout"].splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no result from the training script (rc {res['rc']}):\n{res['stderr'][-2000:]}")


def main(reps: int = 5, steps: int = 200, quiet: bool = False, jobs: int = 1) -> list[dict]:
    """``jobs`` 2: each plain run and its watched twin run side by side (same load on both)."""
    variants = {"python": [sys.executable, str(SCRIPT)],
                "tensorsight run": tensorsight_cmd() + ["run", str(SCRIPT)]}
    runs: dict[str, list[dict]] = {k: [] for k in variants}
    for rep in range(reps):
        results = run_together([cmd + ["--steps", str(steps)] for cmd in variants.values()], jobs,
                               timeout=1200, cwd=str(HERE.parent))
        for name, res in zip(variants, results):
            if res["rc"] != 0:
                raise RuntimeError(f"{name} failed (rc {res['rc']}):\n{res['stderr'][-2000:]}")
            res.update(_loop(res))
            runs[name].append(res)
            if not quiet:
                print(f"  watch rep {rep + 1}/{reps} {steps} steps {name:16s} process {res['wall_s']:6.2f} s "
                      f"(cpu {res['cpu_s']:5.2f}), loop {res['loop_s']:6.2f} s (cpu {res['loop_cpu_s']:5.2f})",
                      file=sys.stderr, flush=True)
    rows = []
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s", "loop_s", "loop_cpu_s", "rss_mb")}
        rows.append({"how": name, "steps": steps, "reps": reps, **med,
                     "wall_all": [r["wall_s"] for r in rs], "loop_all": [r["loop_s"] for r in rs]})
    base = rows[0]
    for r in rows:
        for k in ("wall_s", "cpu_s", "loop_s", "loop_cpu_s"):
            r[f"{k}_overhead_pct"] = 100 * (r[k] / base[k] - 1)
    # paired: each watched run against the plain run just before it (same stretch of machine load)
    plain, watched = runs["python"], runs["tensorsight run"]
    for key in ("loop_cpu_s", "cpu_s"):
        pairs = sorted(100 * (w[key] / p[key] - 1) for p, w in zip(plain, watched))
        rows[1][f"paired_{key}_pct"] = {"median": statistics.median(pairs), "min": pairs[0], "max": pairs[-1]}
    spread = [r["loop_cpu_s"] for r in plain]
    rows[0]["plain_loop_spread_pct"] = 100 * (max(spread) / min(spread) - 1)
    return rows


LONG_LOOP_CPU_S = 30.0  # python CPU seconds of the long loop, at least


def long_loop(reps: int = 3, quiet: bool = False, jobs: int = 1, probe_steps: int = 100) -> list[dict]:
    """The same script run long enough (at least LONG_LOOP_CPU_S of python's CPU time, the step
    count scaled from a probe run on this machine): what a long training run pays under watch."""
    probe = main(reps=1, steps=probe_steps, quiet=True)[0]
    per_step = probe["loop_cpu_s"] / probe_steps
    steps = int(LONG_LOOP_CPU_S / per_step * 1.25) + 1  # the probe's first steps are slower: margin
    if not quiet:
        print(f"  long loop: {per_step * 1e3:.1f} ms CPU a step -> {steps} steps", file=sys.stderr, flush=True)
    return main(reps=reps, steps=steps, quiet=quiet, jobs=jobs)


def markdown(rows: list[dict]) -> str:
    lines = ["| how | process wall s | process CPU s | loop wall s | loop CPU s | peak RSS | "
             "overhead: process wall / CPU | overhead: loop wall / CPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| `{r['how']}` | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['loop_s']:.2f} | "
                     f"{r['loop_cpu_s']:.2f} | {r['rss_mb']:.0f} MB | {r['wall_s_overhead_pct']:+.1f}% / "
                     f"{r['cpu_s_overhead_pct']:+.1f}% | {r['loop_s_overhead_pct']:+.1f}% / "
                     f"{r['loop_cpu_s_overhead_pct']:+.1f}% |")
    w = rows[1]
    if "paired_loop_cpu_s_pct" in w:
        lp, pp = w["paired_loop_cpu_s_pct"], w["paired_cpu_s_pct"]
        lines += ["", f"Paired (each watched run against the plain run just before it), CPU time: training loop "
                      f"{lp['median']:+.1f}% (min {lp['min']:+.1f}%, max {lp['max']:+.1f}%), whole process "
                      f"{pp['median']:+.1f}% ({pp['min']:+.1f}% to {pp['max']:+.1f}%). The plain loop alone varies by "
                      f"{rows[0]['plain_loop_spread_pct']:.0f}% between its own runs, so differences of that size are noise."]
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--steps", type=int, default=200)
    a = p.parse_args()
    print(markdown(main(a.reps, a.steps)))
