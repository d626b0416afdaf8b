"""``tensorsight run`` on a torch.distributed program: sharded ops recorded, ranks' reports joined.

``watch_sharded(watcher)`` puts DistTap/CommTap on the watcher's recorder when the script runs
as one rank of a job (simulated with --world-size, or under torchrun), so the trace and the crash
diagnosis see global/local shapes and collectives. Under torchrun each rank writes its report
into a directory shared by the job's ranks (keyed by torchrun's run id and the master port);
rank 0 waits for them and prints one report that says on which ranks each finding appeared.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time

from ..findings import Finding, Fix


def in_job() -> bool:
    """Whether this process is one rank of a torch.distributed job (torchrun sets WORLD_SIZE)."""
    return "WORLD_SIZE" in os.environ and "RANK" in os.environ


@contextlib.contextmanager
def watch_sharded(watcher):
    if not in_job():
        yield
        return
    from ...capture.dist_record import CommTap, DistTap
    from ...capture.distributed import track_parallel_styles
    tap = DistTap(watcher.recorder)
    with track_parallel_styles():
        try:
            with tap, CommTap(tap):
                yield
        finally:
            tap.finish()


def sharding_warnings(watcher) -> list[Finding]:
    from ..rules.sharding import uneven_shards
    if watcher is None or not in_job():
        return []
    return uneven_shards(watcher.trace, lambda path: _site(watcher, path))


def _site(watcher, path):
    module = watcher.module(path)
    return watcher.site(module) if module is not None else None


# -- joining the ranks' reports (real torchrun) ---------------------------------------------
def torchrun_rank() -> tuple[int, int] | None:
    """(rank, world size) under torchrun (not under --world-size, which simulates one rank)."""
    if "TORCHELASTIC_RUN_ID" not in os.environ or not in_job():
        return None
    return int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])


def job_dir() -> str:
    key = f"{os.environ.get('TORCHELASTIC_RUN_ID', 'job')}-{os.environ.get('MASTER_PORT', '0')}"
    path = os.path.join(tempfile.gettempdir(), f"tensorsight-{''.join(c for c in key if c.isalnum() or c in '-_')}")
    os.makedirs(path, exist_ok=True)
    return path


def share_report(report: dict, rank: int) -> str:
    path = os.path.join(job_dir(), f"rank{rank}.json")
    with open(path + ".tmp", "w") as f:
        json.dump(report, f)
    os.replace(path + ".tmp", path)  # rank 0 never reads half a file
    return path


def collected(path: str, timeout: float = 15.0) -> bool:
    """A rank other than 0: whether rank 0 took its report (rank 0 removes the file it read)."""
    deadline = time.monotonic() + timeout
    while os.path.exists(path):
        if time.monotonic() > deadline:
            with contextlib.suppress(OSError):
                os.remove(path)
            return False
        time.sleep(0.05)
    return True


def gather_reports(world_size: int, timeout: float = 60.0) -> dict[int, dict]:
    """Rank 0: every rank's report (those that wrote one within ``timeout`` seconds)."""
    folder = job_dir()
    deadline = time.monotonic() + timeout
    reports: dict[int, dict] = {}
    while True:
        for r in range(world_size):
            path = os.path.join(folder, f"rank{r}.json")
            if r not in reports and os.path.exists(path):
                with open(path) as f:
                    reports[r] = json.load(f)
                with contextlib.suppress(OSError):
                    os.remove(path)  # tells rank r its report was taken
        if len(reports) == world_size or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.rmdir(folder)
    return reports


def merge_reports(reports: dict[int, dict]) -> tuple[dict, list[tuple[Finding, list[int]]]]:
    """One report for the job: each finding once, with the ranks it appeared on."""
    order = {"crashed": 0, "stopped": 1, "completed": 2}
    merged: dict[tuple, tuple[Finding, list[int]]] = {}
    for rank in sorted(reports):
        for f in reports[rank].get("findings", []):
            key = (f["category"], f["file"], f["line"])
            if key not in merged:
                finding = Finding(f["severity"], f["category"], f["file"], f["line"], f["message"],
                                  [Fix(**x) for x in f.get("fixes", [])])
                merged[key] = (finding, [])
            merged[key][1].append(rank)
    statuses = [r.get("status", "completed") for r in reports.values()] or ["completed"]
    status = min(statuses, key=lambda s: order.get(s, 0))
    exception = next((reports[r]["exception"] for r in sorted(reports) if reports[r].get("exception")), None)
    joined = {"status": status, "exception": exception,
              "findings": [dict(f.to_dict(), ranks=ranks) for f, ranks in merged.values()],
              "ranks": {str(r): reports[r] for r in sorted(reports)}}
    return joined, list(merged.values())
