"""One measurement in a fresh process: import the tool, build the model, run the tool once.

    python bench/_worker.py MODEL TOOL [--profile FILE]

Prints one JSON object on the last line of stdout: wall and CPU seconds of each phase, the peak
resident set size (``ru_maxrss``) after the build and at the end, and how many ops/rows/nodes the
tool produced. The tool's call is the first one in this process (what a user running it on a model
pays), so one-time costs such as the first use of fake/meta tensors are in ``run``.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import contextlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

# tool -> (weights it needs, what its count means)
TOOLS = {
    "tensorsight-trace": ("meta", "ops"),
    "tensorsight-summary": ("meta", "rows"),
    "tensorsight-trace-real": ("real", "ops"),
    "tensorsight-summary-real": ("real", "rows"),
    "floor": ("meta", "ops"),
    "torchinfo": ("real", "rows"),
    "torchview": ("real", "nodes"),
    "torchview-meta": ("meta", "nodes"),
    "torchlens": ("real", "ops"),
}
TOOL_NOTES = {
    "tensorsight-trace": "tensorsight.trace(model, spec) on the model built on the meta device",
    "tensorsight-summary": "tensorsight.summary(model, spec) (default depth 3) on the meta-device model",
    "tensorsight-trace-real": "tensorsight.trace(model, spec) on the same real-weight model the peers get",
    "tensorsight-summary-real": "tensorsight.summary(model, spec) on the same real-weight model the peers get",
    "floor": "a bare TorchFunctionMode appending each op to a list, over a forward on meta tensors "
             "(no shapes, modules or source lines kept): the floor any recorder pays",
    "torchinfo": "torchinfo.summary(model, input_data=x, verbose=0): rows at its default depth 3",
    "torchview": "torchview.draw_graph(model, input_data=x, save_graph=False): graph nodes, not rendered",
    "torchview-meta": "torchview.draw_graph(model, input_data=x, device='meta', save_graph=False) on the "
                      "meta-built model and a meta input: torchview without weights, as tensorsight runs",
    "torchlens": "torchlens.trace(model, x, save=None): metadata only (no activations kept), its lightest mode",
}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _Timer:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu() - self.cpu


def import_tool(tool: str):
    """Import what the tool needs; return the function that runs it: fn(model, spec, x) -> count."""
    if tool.startswith("tensorsight"):
        import tensorsight
        if tool.startswith("tensorsight-summary"):
            fn = tensorsight.summary
            return lambda model, spec, x: len(fn(model, spec).rows)
        fn = tensorsight.trace
        return lambda model, spec, x: len(fn(model, spec).events)
    if tool == "floor":
        from torch.overrides import TorchFunctionMode

        class Floor(TorchFunctionMode):
            def __init__(self):
                super().__init__()
                self.ops = []

            def __torch_function__(self, func, types, args=(), kwargs=None):
                self.ops.append(func)
                return func(*args, **(kwargs or {}))

        def floor(model, spec, x):
            rec = Floor()
            with rec:
                model(x)
            return len(rec.ops)
        return floor
    if tool == "torchinfo":
        import torchinfo

        def info(model, spec, x):
            stats = torchinfo.summary(model, input_data=x, verbose=0)
            return sum(1 for layer in stats.summary_list if layer.depth <= 3)
        return info
    if tool == "torchview":
        import torchview
        return lambda model, spec, x: len(torchview.draw_graph(model, input_data=x, save_graph=False).node_set)
    if tool == "torchview-meta":
        import torchview
        return lambda model, spec, x: len(torchview.draw_graph(model, input_data=x, device="meta",
                                                               save_graph=False).node_set)
    if tool == "torchlens":
        import torchlens
        if hasattr(torchlens, "log_forward_pass") and not hasattr(torchlens, "trace"):  # torchlens < 2
            return lambda model, spec, x: len(torchlens.log_forward_pass(
                model, x, layers_to_save=None, vis_opt="none").layer_list)
        fn = torchlens.trace  # resolves torchlens' lazy facade: part of the import, not the run
        return lambda model, spec, x: int(fn(model, x, save=None).num_ops)
    raise SystemExit(f"unknown tool {tool!r}; one of {', '.join(TOOLS)}")


def measure(model_name: str, tool: str, profile: str | None = None) -> dict:
    out: dict = {"model": model_name, "tool": tool}
    with _Timer() as t:
        import torch
        torch.set_num_threads(1)
        from models import MODELS
        spec = MODELS[model_name]
        spec.prepare()  # transformers' modeling code: the builder's import, not the tool's
    out["import_torch_s"], out["import_torch_cpu_s"] = t.wall, t.cpu
    with _Timer() as t:
        run = import_tool(tool)
    out["import_tool_s"], out["import_tool_cpu_s"] = t.wall, t.cpu
    weights = TOOLS[tool][0]
    with _Timer() as t, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = spec.build("meta" if weights == "meta" else "cpu")
    out["build_s"], out["build_cpu_s"] = t.wall, t.cpu
    seen: set[int] = set()
    out["params"] = sum(p.numel() for p in model.parameters() if not (id(p) in seen or seen.add(id(p))))
    out["weights"] = weights
    x = spec.real_input()
    if weights == "meta":
        x = x.to("meta")
    out["rss_after_build_mb"] = _rss_mb()
    prof = None
    if profile:
        import cProfile
        prof = cProfile.Profile(time.process_time)  # CPU time: other jobs' load does not count
    with _Timer() as t, warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
        warnings.simplefilter("ignore")
        if prof:
            prof.enable()
        count = run(model, spec.spec, x)
        if prof:
            prof.disable()
    out["run_s"], out["run_cpu_s"] = t.wall, t.cpu
    out["count"], out["count_kind"] = count, TOOLS[tool][1]
    out["peak_rss_mb"] = _rss_mb()
    if prof:
        prof.dump_stats(profile)
    return out


def run_process(cmd: list[str], timeout: float = 300, env: dict | None = None,
                cwd: str | None = None) -> dict:
    """Run ``cmd`` in a fresh process; its wall time, CPU time (user + system, from wait4) and peak
    RSS, exit code and output. ``timed_out`` when it ran past ``timeout`` seconds (then killed)."""
    import signal
    import subprocess
    import tempfile
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                "rc": proc.returncode, "timed_out": timed_out,
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")}


def run_together(cmds: list[list[str]], jobs: int = 1, **kw) -> list[dict]:
    """``run_process`` of each command, ``jobs`` at a time (side by side, they share the same
    stretch of machine load), results in the order given."""
    if jobs <= 1 or len(cmds) <= 1:
        return [run_process(c, **kw) for c in cmds]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda c: run_process(c, **kw), cmds))


def main(argv=None) -> None:
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("tool", choices=list(TOOLS))
    p.add_argument("--profile", metavar="FILE",
                   help="cProfile (on CPU time) the tool's call into FILE; the profiler inflates Python-heavy code")
    args = p.parse_args(argv)
    result = measure(args.model, args.tool, args.profile)
    sys.stdout.flush()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
