"""`tensorsight run` against plain `python` on short real training scripts (bench/scripts/train/).

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_run_scripts.py [--reps 5] [--only NAME ...]

The scripts follow pytorch/examples and nanoGPT (MNIST CNN and RNN, a word LM updated by hand,
time-series LSTMs with LBFGS, polynomial regression updated by hand, VAE, DCGAN, a siamese net,
super-resolution, REINFORCE, a GCN, a character GPT) on synthetic data, a few seconds each.
Each run is a fresh process; python and `tensorsight run` alternate, so load falls on both alike.
Reported per script: the medians of CPU time (user + system of the whole process, start-up
included), the ratio, and the median ratio over the scripts. ``main()`` returns the rows.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _worker import run_together  # noqa: E402

SCRIPTS = sorted((HERE / "scripts" / "train").glob("*.py"))


def tensorsight_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("tensorsight")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tensorsight"]


def main(reps: int = 5, only=None, quiet: bool = False, jobs: int = 1) -> list[dict]:
    """``jobs`` 2: python and `tensorsight run` of one repetition side by side (same load)."""
    scripts = [s for s in SCRIPTS if not only or s.stem in only]
    rows = []
    for script in scripts:
        runs = {"python": [], "run": []}
        for rep in range(reps):
            variants = (("python", [sys.executable, str(script)]), ("run", tensorsight_cmd() + ["run", str(script)]))
            for (how, _), res in zip(variants, run_together([c for _, c in variants], jobs, timeout=600,
                                                            cwd=str(HERE.parent))):
                if res["rc"] != 0:
                    raise RuntimeError(f"{how} {script.name} failed (rc {res['rc']}):\n{res['stderr'][-2000:]}")
                runs[how].append(res)
        py = statistics.median(r["cpu_s"] for r in runs["python"])
        ts = statistics.median(r["cpu_s"] for r in runs["run"])
        pairs = [b["cpu_s"] / a["cpu_s"] for a, b in zip(runs["python"], runs["run"])]
        warned = any("tensorsight:" in r["stderr"] for r in runs["run"])
        row = {"script": script.stem, "python_cpu_s": py, "run_cpu_s": ts, "ratio": ts / py,
               "paired_median": statistics.median(pairs), "reps": reps, "findings": warned}
        rows.append(row)
        if not quiet:
            print(f"  {script.stem:24s} python {py:5.2f} s  run {ts:5.2f} s  ×{ts / py:.3f} "
                  f"(paired median ×{row['paired_median']:.3f}){'  [reported findings]' if warned else ''}",
                  file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| script | python CPU s | `tensorsight run` CPU s | ratio | paired median |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['script']} | {r['python_cpu_s']:.2f} | {r['run_cpu_s']:.2f} | "
                     f"{r['ratio']:.3f}× | {r['paired_median']:.3f}× |")
    med = statistics.median(r["ratio"] for r in rows)
    lines.append(f"| **median of {len(rows)} scripts** | | | **{med:.3f}×** | |")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    print(markdown(main(a.reps, a.only)))
