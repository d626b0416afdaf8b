"""tensorsight against torchinfo, torchview and torchlens, side by side, in one run.

    make bench                                      # installs the `bench` extra, then runs this
    OMP_NUM_THREADS=1 .venv/bin/python bench/run.py [--quick] [--reps 5] [--jobs 2] [--models lenet,gpt2]
                                                    [--tools tensorsight-trace,torchinfo]

Every (model, tool, repetition) is a fresh process (bench/_worker.py) that imports the tool, builds
the model (timed), runs the tool once (timed: the first call, as a user pays it) and reports wall and
CPU seconds and its peak RSS. Repetitions go round all models and tools before the next one starts,
so a burst of load from other jobs falls on every tool alike; on a machine with 2 cores or more two
run side by side (``--jobs``), one per core. 5 repetitions; a cell whose first process took over
10 s of CPU (torchlens on the larger models, the real-weight 1B model's peers) stops at 3.
Medians are reported, of wall and of
CPU time (the steadier number on a shared machine); a row whose run times spread by more than 1.5x
(max/min) is marked noisy, and the report says how much wall time exceeded CPU time overall.

Weights: tensorsight builds every model on the meta device (it needs no weights); torchinfo,
torchview and torchlens run real forward passes and get real, randomly initialised float32
weights, skipped where those would exceed 8 GB (or what the machine has free).
``tensorsight-trace-real`` traces the same real-weight model the peers get.

Two groups of models: the peer table (published shapes, LeNet to the 70B Llama) and the small
transformers (tiny configurations, with torchview on the meta device as a column).

After the tables: where the 70B trace spends its time (cProfile), the watch-mode overhead on a
real training loop, short and long (bench/bench_watch.py), `tensorsight run` on the short training
scripts of bench/scripts/train (bench/bench_run_scripts.py), what `tensorsight run` adds to a
crashing script and the command line's start-up (bench/bench_run_crash.py), and the conv-matrix
comparison (bench/bench_conv_matrix.py). A full run (no options: what `make bench` runs) writes
bench/results/latest.{md,json}, docs/bench.md and the README's table between its markers, dated,
with the load average; a partial one (--quick, --models, --tools, --skip, --reps < 5) writes
bench/results/partial.{md,json} only. The report says how long the run took.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _worker import TOOL_NOTES, TOOLS, run_process  # noqa: E402
from models import MODELS, SMALL_TRANSFORMERS  # noqa: E402

REAL_WEIGHTS_LIMIT = 8 * 10 ** 9       # bytes of float32 weights the peers may allocate
TARGET_70B_S, TARGET_70B_MB = 2.0, 1024
TARGET_HELP_S = 0.5
NOISY_SPREAD = 1.5
REPS = 5                               # repetitions of each (model, tool) cell
# a cell whose first process took more than COSTLY_S of CPU time runs COSTLY_REPS times: those are
# the real-weight peers of the 1B model and torchlens, seconds where the rest take a fraction
COSTLY_S, COSTLY_REPS = 10.0, 3
# the default cells: every peer-table model gets these tools (the peers are skipped where real
# weights do not fit), the 70B model the bare recorder too, the small transformers their own set
PEER_TOOLS = ["tensorsight-trace", "tensorsight-summary", "torchinfo", "torchview", "torchlens"]
FLOOR_MODELS = ["llama_70b"]
SMALL_TOOLS = ["tensorsight-trace", "tensorsight-summary", "torchview-meta", "torchinfo"]
QUICK_MODELS = ["lenet", "bert_tiny", "llama_70b"]
QUICK_TOOLS = ["tensorsight-trace", "tensorsight-summary", "floor", "torchinfo", "torchview-meta"]
EXTRAS = ("profile", "watch", "scripts", "crash", "convmat")


# ---------------------------------------------------------------------------------------------
# the machine
# ---------------------------------------------------------------------------------------------

def _version(dist: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _meminfo(key: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def source_state() -> str:
    """HEAD and a hash of uncommitted changes under src/: others may commit while the bench runs."""
    import hashlib
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        diff = subprocess.run(["git", "diff", "HEAD", "--", "src"], cwd=ROOT, capture_output=True,
                              timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return f"{head}+{hashlib.sha1(diff).hexdigest()[:8]}" if diff else head


def source_changes(since: str, until: str | None = None) -> str:
    """Files under src/ that differ between commit ``since`` and ``until`` (default: the working tree)."""
    revs = [since.split("+")[0]] + ([until.split("+")[0]] if until else [])
    try:
        out = subprocess.run(["git", "diff", "--stat=100", *revs, "--", "src"], cwd=ROOT, capture_output=True,
                             text=True, timeout=30).stdout.strip().splitlines()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return "; ".join(ln.strip().split("|")[0].strip() + " (" + ln.split("|")[1].strip() + ")"
                     for ln in out if "|" in ln)


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu, "nproc": os.cpu_count(), "ram_gb": round(_meminfo("MemTotal") / 2 ** 30, 1),
        "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
        "versions": {d: _version(d) for d in ("tensorsight", "torch", "transformers", "torchinfo",
                                              "torchview", "torchlens", "graphviz")},
        "commit": commit, "source_start": source_state(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_start": os.getloadavg()[0],
    }


# ---------------------------------------------------------------------------------------------
# the peer table
# ---------------------------------------------------------------------------------------------

def skip_reason(model: str, tool: str, jobs: int = 1) -> str | None:
    dist = tool.split("-")[0]
    if dist.startswith("torch") and _version(dist) == "not installed":
        return f"skipped: {dist} is not installed"
    if TOOLS[tool][0] != "real":
        return None
    need = MODELS[model].weight_bytes
    if need > REAL_WEIGHTS_LIMIT:
        return f"skipped: needs {need / 1e9:.0f} GB of weights"
    free = _meminfo("MemAvailable")
    if free and need * 1.5 * jobs + 2e9 > free:  # measurements side by side may each build one
        return (f"skipped: needs {need / 1e9:.1f} GB of weights ({jobs} at a time), "
                f"{free / 1e9:.1f} GB free")
    return None


def one_run(model: str, tool: str, timeout: float) -> dict:
    res = run_process([sys.executable, str(HERE / "_worker.py"), model, tool], timeout=timeout, cwd=str(ROOT))
    if res["timed_out"]:
        return {"status": f"timeout (> {timeout:.0f} s)", "wall_s": res["wall_s"]}
    lines = [ln for ln in res["stdout"].splitlines() if ln.startswith("{")]
    if res["rc"] != 0 or not lines:
        err = [ln for ln in res["stderr"].strip().splitlines() if ln.strip()]
        why = err[-1][:120] if err else f"exit code {res['rc']}"
        frames = [ln.strip() for ln in err if ln.strip().startswith("File ")]
        if frames and "site-packages" in frames[-1]:  # name where inside the tool it failed
            f = frames[-1].split('"')[1].split("site-packages/")[-1]
            why += f" (in {f}, {frames[-1].rsplit(' in ', 1)[-1]})"
        if res["rc"] in (-9, 137):
            why = "killed (out of memory?)"
        return {"status": f"error: {why}", "wall_s": res["wall_s"]}
    out = json.loads(lines[-1])
    out["status"] = "ok"
    out["process_wall_s"], out["process_cpu_s"] = res["wall_s"], res["cpu_s"]
    return out


def compile_sources() -> None:
    """Write tensorsight's bytecode once, before the fresh processes start: an installed package
    has it, and under PYTHONDONTWRITEBYTECODE=1 each worker would otherwise compile every module
    it imports again (milliseconds inside the timed first call, where imports are lazy)."""
    import compileall
    compileall.compile_dir(str(ROOT / "src"), quiet=1, force=False)


def default_cells(models: list[str], tools: list[str] | None) -> list[tuple[str, str]]:
    """The (model, tool) cells to measure: ``tools`` for every model when given, else each
    group's own set (PEER_TOOLS, floor on FLOOR_MODELS, SMALL_TOOLS on the small transformers)."""
    cells = []
    for m in models:
        small = m in SMALL_TRANSFORMERS
        if tools is not None:
            own = [t for t in tools if t != "torchview-meta" or small]
            own = [t for t in own if t != "floor" or m in FLOOR_MODELS or len(models) == 1] or tools
        else:
            own = SMALL_TOOLS if small else PEER_TOOLS + (["floor"] if m in FLOOR_MODELS else [])
        cells += [(m, t) for t in own]
    return cells


def run_table(cells: list[tuple[str, str]], reps: int, timeout: float, jobs: int = 1) -> dict:
    """Every cell ``reps`` times (COSTLY_REPS for a costly one), round-robin: repetition r of
    every cell before repetition r + 1 of any, ``jobs`` fresh processes at a time."""
    from concurrent.futures import ThreadPoolExecutor
    cells_runs: dict[tuple[str, str], list[dict]] = {c: [] for c in cells}
    skipped = {c: skip_reason(*c, jobs=jobs) for c in cells}
    failed: dict[tuple[str, str], str] = {}
    first_cpu: dict[tuple[str, str], float] = {}
    capped: set = set()

    def task(rep: int, key: tuple[str, str]):
        if key in failed:
            return  # a timeout or a crash is not retried
        if rep >= COSTLY_REPS and first_cpu.get(key, 0.0) > COSTLY_S:
            capped.add(key)
            return
        r = one_run(*key, timeout)
        if r["status"] != "ok":
            failed[key] = r["status"]
        else:
            cells_runs[key].append(r)
            first_cpu.setdefault(key, r["process_cpu_s"])  # CPU: a loaded machine does not cap a cell
        m, t = key
        shown = (f"run {r['run_s']:7.3f} s (cpu {r['run_cpu_s']:6.3f}) build {r['build_s']:6.2f} s "
                 f"peak {r['peak_rss_mb']:6.0f} MB {r['count_kind']} {r['count']}"
                 if r["status"] == "ok" else r["status"])
        print(f"  rep {rep + 1}/{reps} {m:15s} {t:24s} {shown}", file=sys.stderr, flush=True)

    order = [(rep, c) for rep in range(reps) for c in cells if not skipped[c]]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for f in [pool.submit(task, rep, c) for rep, c in order]:
            f.result()
    models = list(dict.fromkeys(m for m, _ in cells))
    tools_of = {m: [t for mm, t in cells if mm == m] for m in models}
    rows = []
    for m in models:
        for t in tools_of[m]:
            key = (m, t)
            rs = cells_runs[key]
            row = {"model": m, "label": MODELS[m].label, "group": MODELS[m].group, "tool": t,
                   "weights": TOOLS[t][0], "count_kind": TOOLS[t][1], "reps": len(rs),
                   "capped": key in capped}
            if skipped[key] or key in failed:
                row["status"] = skipped[key] or failed[key]
                row["params"] = MODELS[m].params
                rows.append(row)
                continue
            row["status"] = "ok"
            for k in ("import_torch_s", "import_tool_s", "build_s", "build_cpu_s", "run_s", "run_cpu_s",
                      "peak_rss_mb", "rss_after_build_mb", "process_wall_s", "process_cpu_s"):
                row[k] = statistics.median(r[k] for r in rs)
            row["run_min"], row["run_max"] = min(r["run_s"] for r in rs), max(r["run_s"] for r in rs)
            row["run_all"] = [r["run_s"] for r in rs]
            row["run_cpu_all"] = [r["run_cpu_s"] for r in rs]
            row["params"] = rs[0]["params"]
            row["count"] = rs[0]["count"]
            spread = row["run_max"] / row["run_min"] if row["run_min"] > 0 else 1.0
            wait = row["run_s"] / row["run_cpu_s"] if row["run_cpu_s"] > 0 else 1.0
            row["wait"] = wait
            row["noisy"] = [f"spread {spread:.1f}x"] if (len(rs) > 1 and spread > NOISY_SPREAD
                                                         and row["run_max"] > 0.05) else []
            rows.append(row)
    for row in rows:  # ratios to tensorsight on the same model (> 1: tensorsight is faster): against
        for ref in ("tensorsight-trace", "tensorsight-summary"):  # its row on the same weights if measured,
            same = ref + ("-real" if row["weights"] == "real" else "")  # else its meta-built row
            ok = {r["tool"]: r for r in rows if r["model"] == row["model"] and r["status"] == "ok"}
            base = ok.get(same) or ok.get(ref)
            if base and row["status"] == "ok":
                row[f"x_{ref}"] = row["run_s"] / base["run_s"]
                row[f"x_{ref}_cpu"] = row["run_cpu_s"] / base["run_cpu_s"]
    return {"rows": rows, "reps": reps, "timeout": timeout, "jobs": jobs, "source_end": source_state()}


def _source_warning(info: dict) -> list[str]:
    start, end = info["source_start"], info.get("table_source_end")
    if not end or end == start:
        return []
    return [f"**Warning: the tensorsight source changed while the table was measured** ({start} → {end}; "
            f"others commit to this checkout): the repetitions may mix versions. Changed under src/: "
            f"{info.get('table_changes') or '?'}. The table measures capture/, analysis/summary.py and what "
            f"they import (diagnose/ is `tensorsight run`'s); judge from the files whether it matters, or rerun.", ""]


def _s(x: float) -> str:
    return f"{x * 1e3:.0f} ms" if x < 0.1 else f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def _x(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.2g}×" if x < 1 else f"{x:.2f}×" if x < 10 else f"{x:,.0f}×"


def _params(n: int) -> str:
    return f"{n / 1e9:.2f} B" if n >= 1e9 else f"{n / 1e6:.1f} M" if n >= 1e6 else f"{n / 1e3:.0f} k"


def table_markdown(table: dict) -> str:
    lines = ["| model | params | tool | weights | reps | tool import | build | run (median) | run min–max | run CPU "
             "| peak RSS | ops / rows / nodes | ÷ ts trace (wall, CPU) | ÷ ts summary (wall, CPU) |",
             "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    last = None
    for r in table["rows"]:
        model = f"{r['label']}" if r["model"] != last else ""
        params = _params(r["params"]) if r["model"] != last else ""
        last = r["model"]
        if r["status"] != "ok":
            lines.append(f"| {model} | {params} | {r['tool']} | {r['weights']} | | {r['status']} |  |  |  |  |  |  |  |  |")
            continue
        noisy = " †" if r["noisy"] else ""
        xt = f"{_x(r.get('x_tensorsight-trace'))}, {_x(r.get('x_tensorsight-trace_cpu'))}" \
            if r.get("x_tensorsight-trace") is not None else "—"
        xs = f"{_x(r.get('x_tensorsight-summary'))}, {_x(r.get('x_tensorsight-summary_cpu'))}" \
            if r.get("x_tensorsight-summary") is not None else "—"
        lines.append(f"| {model} | {params} | {r['tool']} | {r['weights']} | {r['reps']} | {_s(r['import_tool_s'])} | "
                     f"{_s(r['build_s'])} | "
                     f"**{_s(r['run_s'])}**{noisy} | {_s(r['run_min'])}–{_s(r['run_max'])} | {_s(r['run_cpu_s'])} | "
                     f"{r['peak_rss_mb']:,.0f} MB | {r['count']:,} {r['count_kind']} | {xt} | {xs} |")
    return "\n".join(lines)


def glance_markdown(table: dict) -> str:
    """One line per peer-table model: each tool's run time (median CPU seconds of the timed call) and
    peak RSS; tensorsight's real-weight row where one was measured, else its meta-built one."""
    cols = [("tensorsight trace", ["tensorsight-trace-real", "tensorsight-trace"]),
            ("tensorsight summary", ["tensorsight-summary-real", "tensorsight-summary"]),
            ("torchinfo", ["torchinfo"]), ("torchview", ["torchview"]), ("torchlens", ["torchlens"])]
    present = [(c, ts) for c, ts in cols if any(r["tool"] in ts for r in table["rows"])]
    lines = ["| model | params | " + " | ".join(c for c, _ in present) + " |",
             "|---|---:|" + "---:|" * len(present)]
    for m in dict.fromkeys(r["model"] for r in table["rows"] if r.get("group", "peer") == "peer"):
        cells = []
        for _, ts in present:
            cell = "—"
            for t in ts:  # the real-weight row where there is one: the same model the peers get
                r = next((x for x in table["rows"] if x["model"] == m and x["tool"] == t), None)
                if r is None:
                    continue
                if r["status"] == "ok":
                    cell = (f"{_s(r['run_cpu_s'])}, {r['peak_rss_mb'] / 1024:.1f} GB"
                            + (" (meta)" if r["weights"] == "meta" and len(ts) > 1 else ""))
                    break
                cell = ("skipped (weights)" if "weights" in r["status"] else
                        "fails" if r["status"].startswith("error") else r["status"].split(":")[0])
            cells.append(cell)
        r0 = next(x for x in table["rows"] if x["model"] == m)
        lines.append(f"| {MODELS[m].label} | {_params(r0['params'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cpu(rows: dict, m: str, t: str) -> float | None:
    r = rows.get((m, t))
    return r["run_cpu_s"] if r and r["status"] == "ok" else None


def small_transformers(table: dict) -> dict | None:
    """The small-transformers group: per model the CPU medians of each tool and tensorsight's
    ratios to torchview-on-meta; the median model (by torchview-on-meta's time, the middle of
    the sorted models; with an even count the lower middle) and the median of the ratios."""
    rows = {(r["model"], r["tool"]): r for r in table["rows"] if r.get("group") == "small_transformers"}
    models = list(dict.fromkeys(m for m, _ in rows))
    if not models:
        return None
    per = []
    for m in models:
        tv = _cpu(rows, m, "torchview-meta")
        entry = {"model": m, "label": MODELS[m].label, "tv": tv, "ti": _cpu(rows, m, "torchinfo"),
                 "trace": _cpu(rows, m, "tensorsight-trace"), "summary": _cpu(rows, m, "tensorsight-summary")}
        for k in ("trace", "summary"):
            entry[f"{k}_x_tv"] = entry[k] / tv if entry[k] and tv else None
            entry[f"{k}_x_ti"] = entry[k] / entry["ti"] if entry[k] and entry["ti"] else None
        per.append(entry)
    ranked = sorted((e for e in per if e["tv"] is not None), key=lambda e: e["tv"])
    median_model = ranked[(len(ranked) - 1) // 2] if ranked else None
    med = {}
    for k in ("trace_x_tv", "summary_x_tv", "trace_x_ti", "summary_x_ti"):
        xs = [e[k] for e in per if e[k] is not None]
        med[k] = statistics.median(xs) if xs else None
    return {"models": per, "median_model": median_model, "median_ratio": med}


def small_markdown(st: dict) -> str:
    lines = ["| model | tensorsight trace | tensorsight summary | torchview on meta | torchinfo (real weights) "
             "| trace ÷ torchview-meta | summary ÷ torchview-meta | summary ÷ torchinfo |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    f = lambda x: _s(x) if x is not None else "—"  # noqa: E731
    for e in st["models"]:
        star = " (median model)" if st["median_model"] is e else ""
        lines.append(f"| {e['label']}{star} | {f(e['trace'])} | {f(e['summary'])} | {f(e['tv'])} | {f(e['ti'])} | "
                     f"{_x(e['trace_x_tv'])} | {_x(e['summary_x_tv'])} | {_x(e['summary_x_ti'])} |")
    m = st["median_ratio"]
    lines.append(f"| **median of the ratios** | | | | | **{_x(m['trace_x_tv'])}** | **{_x(m['summary_x_tv'])}** | "
                 f"**{_x(m['summary_x_ti'])}** |")
    return "\n".join(lines)


def counts_markdown(table: dict) -> str:
    """Per model: the ops tensorsight records next to what each peer shows."""
    tools = [t for t in TOOLS if t not in ("tensorsight-trace-real",)
             and any(r["tool"] == t for r in table["rows"])]
    head = "| model | " + " | ".join(f"{t} ({TOOLS[t][1]})" for t in tools) + " |"
    lines = [head, "|---|" + "---:|" * len(tools)]
    for m in dict.fromkeys(r["model"] for r in table["rows"]):
        cells = []
        for t in tools:
            r = next((x for x in table["rows"] if x["model"] == m and x["tool"] == t), None)
            cells.append(f"{r['count']:,}" if r and r["status"] == "ok" else "—")
        lines.append(f"| {MODELS[m].label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def noisy_notes(table: dict) -> list[str]:
    return [f"{r['label']} / {r['tool']}: {', '.join(r['noisy'])} between repetitions (runs: "
            f"{', '.join(f'{x:.2f}' for x in r['run_all'])} s wall; "
            f"{', '.join(f'{x:.2f}' for x in r['run_cpu_all'])} s CPU)"
            for r in table["rows"] if r["status"] == "ok" and r["noisy"]]


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def targets(table: dict, crash_rows: list[dict] | None, extras: dict | None = None) -> list[str]:
    """Issue 15's targets, each from this run's CPU medians (ratios within the run)."""
    extras = extras or {}
    rows = {(r["model"], r["tool"]): r for r in table["rows"]}
    out = []
    peers = [m for m in dict.fromkeys(r["model"] for r in table["rows"] if r.get("group", "peer") == "peer")]
    for ref, against in (("tensorsight-summary", ("torchinfo",)), ("tensorsight-trace", ("torchinfo", "torchview", "torchlens"))):
        misses, both = [], 0
        for m in peers:
            ts = _cpu(rows, m, ref + "-real") or _cpu(rows, m, ref)
            best = [(_cpu(rows, m, t), t) for t in against if _cpu(rows, m, t) is not None]
            if ts is None or not best:
                continue
            both += 1
            fastest, who = min(best)
            if ts > fastest:
                misses.append(f"{MODELS[m].label} {_s(ts)} vs {who} {_s(fastest)} ({ts / fastest:.2f}×)")
        if both:
            what = "torchinfo" if against == ("torchinfo",) else "the fastest peer"
            out.append(f"`{ref.split('-')[1]}` ≤ {what} (CPU) on {both - len(misses)} of {both} models: "
                       f"{_verdict(not misses)}" + (f"; slower on {'; '.join(misses)}" if misses else "") + ".")
    st = small_transformers(table)
    if st and st["median_model"]:
        e = st["median_model"]
        for k in ("trace", "summary"):
            x = e[f"{k}_x_tv"]
            if x is not None:
                out.append(f"`{k}` ≤ torchview-on-meta on the median small transformers model ({e['label']}): "
                           f"{x:.2f}× — {_verdict(x <= 1)} (median ratio over the group "
                           f"{_x(st['median_ratio'][k + '_x_tv'])}).")
    r, f, sm = rows.get(("llama_70b", "tensorsight-trace")), rows.get(("llama_70b", "floor")), \
        rows.get(("llama_70b", "tensorsight-summary"))
    if r and r["status"] == "ok":
        line = (f"70B-shaped Llama traced in {r['run_cpu_s']:.2f} s CPU ({r['run_s']:.2f} s wall), peak RSS "
                f"{r['peak_rss_mb']:,.0f} MB (≤ {TARGET_70B_MB} MB: {_verdict(r['peak_rss_mb'] <= TARGET_70B_MB)}), "
                f"{r['count']:,} ops")
        if f and f["status"] == "ok":
            x = r["run_cpu_s"] / f["run_cpu_s"]
            line += (f"; the bare recorder over the same forward {f['run_cpu_s']:.2f} s CPU: trace ÷ floor "
                     f"{x:.2f}× (≤ 1.3×: {_verdict(x <= 1.3)})")
        if sm and sm["status"] == "ok":
            x = sm["run_cpu_s"] / r["run_cpu_s"]
            line += f"; summary {sm['run_cpu_s']:.2f} s CPU, ÷ trace {x:.2f}× (≤ 1.5×: {_verdict(x <= 1.5)})"
        out.append(line + ".")
    sc = extras.get("scripts")
    if sc:
        med = statistics.median(x["ratio"] for x in sc)
        out.append(f"`tensorsight run` on {len(sc)} short training scripts: median {med:.3f}× python's CPU time "
                   f"(≤ 1.05×: {_verdict(med <= 1.05)}).")
    wl = extras.get("watch_long")
    if wl:
        x = wl[1]["cpu_s"] / wl[0]["cpu_s"]
        out.append(f"A long training loop ({wl[0]['steps']} steps, python {wl[0]['cpu_s']:.1f} s CPU): `tensorsight run` "
                   f"{x:.3f}× python's CPU time, whole process (≤ 1.02×: {_verdict(x <= 1.02)}); the loop alone "
                   f"{wl[1]['loop_cpu_s'] / wl[0]['loop_cpu_s']:.3f}×.")
    if crash_rows:
        h = next((c for c in crash_rows if c["how"] == "tensorsight --help"), None)
        if h:
            out.append(f"`tensorsight --help`: {h['wall_s']:.2f} s wall (target < {TARGET_HELP_S} s: "
                       f"{_verdict(h['wall_s'] < TARGET_HELP_S)}).")
    return out


# ---------------------------------------------------------------------------------------------
# where the 70B trace spends its time
# ---------------------------------------------------------------------------------------------

# (label, path fragment, function name): cumulative seconds of these are reported
PROFILE_KEYS = [
    ("tensorsight.summary (under cProfile)", "analysis/summary.py", "summary"),
    ("tensorsight.trace (under cProfile)", "capture/api.py", "trace"),
    ("capture.fake.trace (the fake-tensor path; for trace, the entry that tries the others first)",
     "capture/fake.py", "trace"),
    ("  meta-twin path (capture.fake.meta_trace)", "capture/fake.py", "meta_trace"),
    ("  real throw-away copy path (capture.real.real_trace)", "capture/real.py", "real_trace"),
    ("recorder hook, cumulative (includes running the op)", "capture/recorder.py", "__torch_function__"),
    ("torch's Python meta kernels / refs, entered through _disable_dynamo (eval_frame._fn)",
     "eval_frame.py", "_fn"),
    ("FlopCounterMode dispatch (includes the dispatch below it)", "flop_counter.py", "__torch_dispatch__"),
    ("FakeTensorMode dispatch (FakeTensorMode.__torch_dispatch__)", "fake_tensor.py", "__torch_dispatch__"),
    ("  fake-tensor cache key hashing (_cache_key)", "fake_tensor.py", "_cache_key"),
    ("ShapeEnv guard suppression (ShapeEnv._suppress_guards)", "symbolic_shapes.py", "_suppress_guards"),
    ("recorder: user_stack (source lines)", "capture/source.py", "user_stack"),
    ("recorder: user_frame (innermost source line)", "capture/source.py", "user_frame"),
    ("recorder: meta() (TensorMeta of every tensor)", "capture/recorder.py", "meta"),
    ("recorder: _summarize (non-tensor arguments)", "capture/recorder.py", "_summarize"),
    ("recorder: module pre-hook", "capture/recorder.py", "_pre_hook"),
    ("recorder: _child_name (module names)", "capture/recorder.py", "_child_name"),
    ("recorder: _map_outputs", "capture/recorder.py", "_map_outputs"),
    ("nn.Module.named_modules", "torch/nn/modules/module.py", "named_modules"),
    ("functional_call's parameter swap (_reparametrize_module)", "stateless.py", "_reparametrize_module"),
]


def profile_70b(timeout: float, tool: str = "tensorsight-trace") -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        prof = os.path.join(tmp, "trace.prof")
        res = run_process([sys.executable, str(HERE / "_worker.py"), "llama_70b", tool,
                           "--profile", prof], timeout=timeout, cwd=str(ROOT))
        if res["rc"] != 0 or not os.path.exists(prof):
            return {"error": (res["stderr"].strip().splitlines() or ["?"])[-1]}
        out = json.loads([ln for ln in res["stdout"].splitlines() if ln.startswith("{")][-1])
        import pstats
        st = pstats.Stats(prof)
        stats = st.stats  # (file, line, name) -> (cc, nc, tottime, cumtime, callers)
        keyed = []
        for label, frag, name in PROFILE_KEYS:
            hits = [(v[3], v[1]) for (f, _, n), v in stats.items() if n == name and frag in f.replace(os.sep, "/")]
            if hits:
                keyed.append({"what": label, "cum_s": max(h[0] for h in hits), "calls": max(h[1] for h in hits)})
        top = sorted(((v[2], v[1], f"{Path(f).name}:{ln}({n})") for (f, ln, n), v in stats.items()),
                     reverse=True)[:15]
        return {"tool": tool, "run_s": out["run_s"], "run_cpu_s": out["run_cpu_s"], "keyed": keyed,
                "top_tottime": [{"where": w, "tottime_s": t, "calls": c} for t, c, w in top]}


def profile_markdown(p: dict) -> str:
    if "error" in p:
        return f"profile failed: {p['error']}"
    fn = p.get("tool", "tensorsight-trace").replace("-", ".")
    lines = [f"cProfile of one `{fn}` of the 70B-shaped Llama in a fresh process "
             f"({p['run_s']:.2f} s wall, {p['run_cpu_s']:.2f} s CPU under the profiler, which inflates "
             f"Python-heavy code; read the shares, not the absolute seconds). The profiler's clock is the "
             f"process's CPU time, so other jobs' load does not count.", "",
             "| where | cumulative s | calls |", "|---|---:|---:|"]
    for k in p["keyed"]:
        lines.append(f"| {k['what']} | {k['cum_s']:.2f} | {k['calls']:,} |")
    lines += ["", "Top functions by own time:", "", "| function | own s | calls |", "|---|---:|---:|"]
    for t in p["top_tottime"]:
        lines.append(f"| `{t['where']}` | {t['tottime_s']:.2f} | {t['calls']:,} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------

def report(info: dict, table: dict, extras: dict, command: str) -> str:
    v = info["versions"]
    parts = [
        "# Benchmarks: tensorsight against torchinfo, torchview and torchlens",
        "",
        f"Measured {info['date']} on {info['cpu']}, {info['nproc']} cores, {info['ram_gb']} GB RAM, "
        f"{info['os']}, Python {info['python']}; torch {v['torch']}, transformers {v['transformers']}, "
        f"torchinfo {v['torchinfo']}, torchview {v['torchview']} (graphviz {v['graphviz']}, nothing rendered), "
        f"torchlens {v['torchlens']}; tensorsight {v['tensorsight']} at {info['source_start']} "
        "(commit, + a hash of uncommitted changes under src/ if any); "
        f"OMP_NUM_THREADS={info['omp_num_threads']}. Load average {info['load_start']:.1f} at the start, "
        f"{info['load_end']:.1f} at the end (a shared machine: other people's jobs ran at the same time)"
        + (f"; the whole run took {info['runtime_s'] / 60:.1f} min." if info.get("runtime_s") else "."),
        "",
        "Reproduce: `make bench` (installs the `bench` extra: torchinfo, torchview, torchlens, transformers) "
        f"or `{command}`.",
        "",
        "## Method",
        "",
        f"* Every (model, tool) run is a fresh process: import torch (and transformers' modeling code), "
        f"import the tool (timed: *tool import*), build the model (timed), run the tool "
        f"**once** (timed: its first call, what a user pays), report wall and CPU time and the peak RSS "
        f"(`ru_maxrss`, whole process: Python, torch and transformers included, about 0.2–0.4 GB before any "
        f"model exists). {table['reps']} repetitions, round-robin over all models and tools; medians "
        f"(a cell whose first process took over {COSTLY_S:.0f} s of CPU, such as torchlens or a real-weight 1B "
        f"model, stops after {COSTLY_REPS}; the *reps* column says how many). {table.get('jobs', 1)} "
        f"process(es) at a time (one per core: the repetitions of every tool share the same stretch of load). "
        f"A run over {table['timeout']:.0f} s is stopped and reported as a timeout.",
        "* The machine is shared: wall times carry other jobs' load; CPU time (user + system of the "
        "process) is the steadier number, and both are given. † marks a noisy row: its run times spread "
        f"over {NOISY_SPREAD}× between repetitions.",
        "* Weights: tensorsight needs none, so its models are built on the meta device (`with "
        "torch.device('meta')`); the peers run real forward passes and get real float32 weights (random "
        "init). Where those exceed 8 GB (7B: 27 GB, 70B: 276 GB) the peers are skipped. "
        "`tensorsight-trace-real` traces the same real-weight model the peers get.",
        "* Models, nothing downloaded (`HF_HUB_OFFLINE=1`, transformers config objects with the published "
        "shapes): the PyTorch tutorial LeNet (examples/lenet.py) on 1×1×32×32; ResNet-50 "
        "(`ResNetConfig`) and ViT-B/16 (`ViTConfig`) on 1×3×224×224; BERT-base, GPT-2 small and the "
        "Llama-shaped decoders (Llama-3.2-1B, Llama-2-7B, Llama-2-70B shapes, `LlamaConfig`) on 1×128 "
        "token ids.",
        "* Small transformers: tiny configurations (2 layers, width 64, 4 heads, 1,000-token vocabulary) of "
        "BERT, DistilBERT, GPT-2, Llama and the T5 encoder on 1×32 token ids, where fixed costs decide; "
        "`torchview-meta` is torchview on the meta-built model (`device='meta'`), without weights as "
        "tensorsight runs. The median model is the middle one by torchview-on-meta's time.",
        "* ÷ ts trace / ÷ ts summary: this row's run time divided by tensorsight's on the same model, with "
        "the same weights where that row was measured (`tensorsight-*-real`), else tensorsight's meta-built "
        "row (what a user runs: tensorsight needs no weights); above 1: tensorsight is faster; wall and CPU.",
        "",
        "Tools:",
        "",
    ]
    parts += [f"* `{t}`: {TOOL_NOTES[t]}" for t in TOOLS if any(r["tool"] == t for r in table["rows"])]
    parts += ["", "## At a glance", "",
              "Run time of one call in a fresh process (median CPU time) and the process's peak RSS. "
              "tensorsight on the same real-weight model as the peers where that row was measured "
              "(`--tools tensorsight-trace-real,...`), else on the meta-built model (marked meta: what a "
              "user runs, no weights needed); the peers on real weights.", "",
              glance_markdown(table), ""]
    st = small_transformers(table)
    if st:
        parts += ["## Small transformers", "",
                  "Median CPU time of one call in a fresh process; tensorsight and torchview-on-meta on the "
                  "meta-built model, torchinfo on real weights.", "", small_markdown(st), ""]
    parts += ["", "## Results", ""]
    parts += _source_warning(info)
    parts += [table_markdown(table), ""]
    waits = [r["wait"] for r in table["rows"] if r["status"] == "ok" and r["run_s"] > 0.05]
    if waits:
        parts += [f"Wall ÷ CPU time of the timed calls over 50 ms: median {statistics.median(waits):.1f}, "
                  f"{min(waits):.1f}–{max(waits):.1f} (1.0 on an idle machine: above it, the process waited for "
                  "a core while other jobs ran, so wall times here are inflated by about that factor and "
                  "CPU times are the better guide to what an idle 2-core machine would show).", ""]
    notes = noisy_notes(table)
    if notes:
        parts += ["Noisy rows (†):", ""] + [f"* {n}" for n in notes] + [""]
    parts += ["What each shows: the ops tensorsight records (every tensor op, with its shapes, module and "
              "source line) next to the rows torchinfo prints at its default depth, the nodes of torchview's "
              "graph and the ops torchlens logs (the floor counts every torch function call, metadata "
              "queries included). — where the tool did not run.", "", counts_markdown(table), ""]
    parts += ["## Targets", ""] + [f"* {t}" if not t.startswith("  ") else f"  {t.strip()}"
                                   for t in targets(table, extras.get("crash"), extras)] + [""]
    if extras.get("profile"):
        parts += ["## Where the 70B trace spends its time", "", profile_markdown(extras["profile"]), ""]
    if extras.get("profile_summary"):
        parts += ["## Where the 70B summary spends its time", "", profile_markdown(extras["profile_summary"]), ""]
    if extras.get("watch"):
        import bench_watch
        w = extras["watch"]
        parts += ["## Watch mode on a real training loop", "",
                  f"bench/scripts/train_cnn.py: a small CNN, {w[0]['steps']} SGD steps, batch 64, "
                  f"MNIST-sized synthetic data, CPU; `python` vs `tensorsight run`, fresh processes, "
                  f"{'side by side, one per core' if table.get('jobs', 1) > 1 else 'alternating'}, "
                  f"median of {w[0]['reps']}. The loop columns are the training loop alone (timed by the script).",
                  "", bench_watch.markdown(w), ""]
    if extras.get("watch_long"):
        import bench_watch
        w = extras["watch_long"]
        parts += ["## Watch mode on a long training loop", "",
                  f"The same script for {w[0]['steps']} steps (at least {bench_watch.LONG_LOOP_CPU_S:.0f} s of python's "
                  f"CPU time on this machine), median of {w[0]['reps']}.", "", bench_watch.markdown(w), ""]
    if extras.get("scripts"):
        import bench_run_scripts
        sc = extras["scripts"]
        parts += ["## `tensorsight run` on short training scripts", "",
                  f"bench/scripts/train/: {len(sc)} scripts in the style of pytorch/examples and nanoGPT (two update "
                  "their weights by hand, one takes LBFGS steps), synthetic data; `python` vs `tensorsight run`, "
                  f"whole-process CPU time, fresh processes, median of {sc[0]['reps']} each.", "",
                  bench_run_scripts.markdown(sc), ""]
    if extras.get("crash"):
        import bench_run_crash
        c = extras["crash"]
        parts += ["## A crashing script, and the command line's start-up", "",
                  "bench/scripts/crash_first_forward.py crashes at its first forward. Whole-process wall time, "
                  f"nothing subtracted, median of {c[0]['reps']} fresh processes each.", "",
                  bench_run_crash.markdown(c), ""]
    if extras.get("convmat"):
        parts += ["## Conv as a matrix", "",
                  "bench/bench_conv_matrix.py --quick, the small configurations (its own method: medians of "
                  "per-process CPU time, see its docstring; the full comparison is `bench/bench_conv_matrix.py`):",
                  "", extras["convmat"], ""]
    return "\n".join(parts)


def run_convmat(quick: bool) -> str:
    import contextlib
    import io
    import bench_conv_matrix
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rows = bench_conv_matrix.main(["--quick"] if quick else [])
    return bench_conv_matrix.markdown(rows)


README = ROOT / "README.md"
README_START, README_END = "<!-- bench:start (written by make bench) -->", "<!-- bench:end -->"


def readme_snippet(info: dict, table: dict, extras: dict | None = None) -> str:
    v = info["versions"]
    lines = [f"Measured {info['date']} on {info['cpu']}, {info['nproc']} cores, {info['ram_gb']} GB RAM, load average "
             f"{info['load_start']:.1f} at the start and {info.get('load_end', info['load_start']):.1f} at the end; "
             f"torch {v['torch']}, transformers {v['transformers']}, torchinfo {v['torchinfo']}, torchview "
             f"{v['torchview']}, torchlens {v['torchlens']}; one call in a fresh process, median CPU time of "
             f"{table['reps']} (`make bench`, one run; method and the full tables in [docs/bench.md](docs/bench.md)):",
             "", glance_markdown(table), ""]
    st = small_transformers(table)
    if st and st["median_model"]:
        e, m = st["median_model"], st["median_ratio"]
        lines += [f"Small transformers (tiny BERT, DistilBERT, GPT-2, Llama, T5 encoder; median model {e['label']}): "
                  f"trace {_s(e['trace'])} and summary {_s(e['summary'])} against torchview on meta {_s(e['tv'])} "
                  f"(median ratios {_x(m['trace_x_tv'])} and {_x(m['summary_x_tv'])}).", ""]
    lines += ["Targets, from the same run:", ""] + [f"- {t}" for t in targets(table, (extras or {}).get("crash"), extras)
                                                     if not t.startswith("  ")]
    return "\n".join(lines)


def write_readme(info: dict, table: dict, extras: dict | None = None) -> bool:
    """Rewrite the README's bench table between its markers (False when they are missing)."""
    text = README.read_text()
    a, b = text.find(README_START), text.find(README_END)
    if a < 0 or b < a:
        print(f"README.md has no {README_START} ... {README_END} markers: its table is left alone", file=sys.stderr)
        return False
    README.write_text(text[:a + len(README_START)] + "\n" + readme_snippet(info, table, extras) + "\n" + text[b:])
    return True


def render_saved(path: Path) -> int:
    data = json.loads(path.read_text())
    info, table, extras = data["machine"], data["table"], data["extras"]
    if info.get("table_source_end", info["source_start"]) != info["source_start"] and "table_changes" not in info:
        info["table_changes"] = source_changes(info["source_start"], info["table_source_end"])
    text = report(info, table, extras, data.get("command", "OMP_NUM_THREADS=1 .venv/bin/python bench/run.py"))
    path.with_suffix(".md").write_text(text + "\n")
    path.with_name(path.stem + "_readme.md").write_text(readme_snippet(info, table, extras) + "\n")
    if data.get("full") and path.resolve() == (HERE / "results" / "latest.json").resolve():
        (ROOT / "docs" / "bench.md").write_text(text + "\n")
        write_readme(info, table, extras)
    print(text)
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help=f"models {','.join(QUICK_MODELS)}, tools "
                   f"{','.join(QUICK_TOOLS)}, 1 repetition, short extras")
    p.add_argument("--models", help=f"comma-separated, of: {','.join(MODELS)}")
    p.add_argument("--tools", help=f"comma-separated, of: {','.join(TOOLS)}")
    p.add_argument("--reps", type=int, help=f"repetitions per (model, tool) (default {REPS}, a cell whose first "
                   f"process took over {COSTLY_S:.0f} s of CPU: {COSTLY_REPS}; --quick: 1)")
    p.add_argument("--jobs", type=int, help="fresh processes measured at a time (default: 2 on a machine with "
                   "2 cores or more, one per core; --quick: 1)")
    p.add_argument("--timeout", type=float, default=300, help="seconds per run (default 300)")
    p.add_argument("--skip", default="", help=f"comma-separated extras to leave out: {','.join(EXTRAS)}, or all")
    p.add_argument("--out", help="write the results here instead of bench/results (and not docs/bench.md)")
    p.add_argument("--render", metavar="JSON", help="measure nothing: write the report again from a saved "
                   "bench/results/*.json (docs/bench.md too when that was a full run)")
    args = p.parse_args(argv)
    if args.render:
        return render_saved(Path(args.render))

    models = args.models.split(",") if args.models else (QUICK_MODELS if args.quick else list(MODELS))
    tools = args.tools.split(",") if args.tools else (QUICK_TOOLS if args.quick else None)
    for m in models:
        if m not in MODELS:
            p.error(f"unknown model {m!r}; one of {', '.join(MODELS)}")
    for t in tools or []:
        if t not in TOOLS:
            p.error(f"unknown tool {t!r}; one of {', '.join(TOOLS)}")
    skip = set(EXTRAS) if args.skip == "all" else {s for s in args.skip.split(",") if s}
    reps = args.reps or (1 if args.quick else REPS)
    jobs = args.jobs or (1 if args.quick else min(2, os.cpu_count() or 1))
    full = not (args.quick or args.models or args.tools or skip or args.reps and args.reps < REPS or args.out)
    cells = default_cells(models, tools)
    t_start = time.perf_counter()

    compile_sources()
    info = machine()
    info["jobs"] = jobs
    print(f"{info['date']}: {info['cpu']}, {info['nproc']} cores, load {info['load_start']:.1f}; "
          f"{len(cells)} (model, tool) cells x {reps} reps, each a fresh process, {jobs} at a time",
          file=sys.stderr)
    table = run_table(cells, reps, args.timeout, jobs)
    tools_run = {t for _, t in cells}
    extras: dict = {}
    if "profile" not in skip and "llama_70b" in models:
        for tool, key in (("tensorsight-trace", "profile"), ("tensorsight-summary", "profile_summary")):
            if tool in tools_run:
                print(f"  profiling {tool} on llama_70b ...", file=sys.stderr, flush=True)
                extras[key] = profile_70b(args.timeout, tool)
    if "watch" not in skip:
        import bench_watch
        extras["watch"] = bench_watch.main(reps=2 if args.quick else 5, steps=50 if args.quick else 200,
                                           jobs=jobs)
        if not args.quick:
            extras["watch_long"] = bench_watch.long_loop(reps=3, jobs=jobs)
    if "scripts" not in skip and not args.quick:
        import bench_run_scripts
        print("  short training scripts ...", file=sys.stderr, flush=True)
        extras["scripts"] = bench_run_scripts.main(reps=3, jobs=jobs)
    if "crash" not in skip:
        import bench_run_crash
        extras["crash"] = bench_run_crash.main(reps=2 if args.quick else 3)
    if "convmat" not in skip:
        print("  conv-matrix benchmark ...", file=sys.stderr, flush=True)
        # the small configurations only (seconds, not minutes, of jacrev): the whole comparison is
        # bench/bench_conv_matrix.py's own run, which the README's conv-matrix table quotes
        extras["convmat"] = run_convmat(quick=True)
    info["runtime_s"] = time.perf_counter() - t_start
    info["load_end"] = os.getloadavg()[0]
    info["source_end"] = source_state()
    info["table_source_end"] = table.get("source_end")
    if info["table_source_end"] != info["source_start"]:
        info["table_changes"] = source_changes(info["source_start"])
        print(f"warning: the source changed during the run: {info['table_changes']}", file=sys.stderr)

    command = "OMP_NUM_THREADS=1 .venv/bin/python bench/run.py" + (
        "" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv))
    text = report(info, table, extras, command)
    print(text)
    out_dir = Path(args.out) if args.out else HERE / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "latest" if full else "partial"
    (out_dir / f"{stem}.md").write_text(text + "\n")
    (out_dir / f"{stem}.json").write_text(json.dumps({"machine": info, "table": table, "extras": extras,
                                                      "full": full, "command": command},
                                                     indent=1, default=str) + "\n")
    (out_dir / f"{stem}_readme.md").write_text(readme_snippet(info, table, extras) + "\n")
    if full:
        (ROOT / "docs" / "bench.md").write_text(text + "\n")
        write_readme(info, table, extras)
    print(f"\nwritten: {out_dir / (stem + '.md')}{', docs/bench.md and the README table' if full else ''} "
          f"({info['runtime_s'] / 60:.1f} min)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
