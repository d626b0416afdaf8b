"""``--world-size N --rank R``: run a command as one rank of a torch.distributed job, simulated
in this process on the fake backend (capture/distributed.py)."""
from __future__ import annotations

import contextlib


def add_world_args(p) -> None:
    p.add_argument("--world-size", type=int, default=None, metavar="N",
                   help="simulate rank --rank of an N-process torch.distributed job (fake backend, one process)")
    p.add_argument("--rank", type=int, default=0, metavar="R", help="the rank to simulate (with --world-size)")


def world_for(args, *, fake_tensors: bool, init: bool):
    """The simulated world the command runs in (nothing without --world-size)."""
    if getattr(args, "world_size", None) is None:
        return contextlib.nullcontext()
    from ..capture.distributed import simulated_world
    return simulated_world(args.world_size, args.rank, fake_tensors=fake_tensors, init=init)


def print_rank_memory(model, trace, stream) -> None:
    """The per-rank memory table after a sharded trace."""
    from ..capture.distributed import holds_dtensors
    if model is None or not holds_dtensors(model):
        return
    import shutil
    from rich.console import Console
    from ..analysis.distributed_memory import rank_memory
    Console(file=stream, width=max(shutil.get_terminal_size((140, 40)).columns, 100)).print(
        rank_memory(model, trace).table())


class _TraceView:
    """What the crash rules read of a watcher, from a trace (``tensorsight trace``)."""

    def __init__(self, trace):
        self.trace = trace

    def module(self, path: str):
        ref = getattr(self.trace, "_modules", {}).get(path)
        return ref() if ref is not None else None


def explain_sharded_failure(exc, stream) -> bool:
    """A forward of a sharded model raised: the sharding diagnosis, if one recognises it."""
    trace = getattr(exc, "trace", None)
    if trace is None or not any(e.dist is not None for e in trace.events):
        return False
    from ..diagnose.rules.crash import make_crash
    from ..diagnose.rules.sharding import sharding_crash
    from .run import print_findings
    cause = exc.__cause__ or exc
    findings = [f for f in (sharding_crash(make_crash(_TraceView(trace), cause)) or []) if f is not None]
    print_findings(findings, stream)
    return bool(findings)
