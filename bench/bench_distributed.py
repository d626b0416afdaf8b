"""Llama-2-70B on a 64-rank 8×8 mesh (FSDP 8 × TP 8), one rank simulated in this process.

    PYTHONPATH=src .venv/bin/python bench/bench_distributed.py [--rank 5] [--seq 2048] [--json F]

Builds the model on the meta device inside ``simulated_world(64, rank)`` (no weights, no
accelerator, no other ranks), shards it with the user-side torch code (parallelize_module,
fully_shard), allocates this rank's shards as fake tensors (``to_empty``), traces one forward and prints the per-rank memory table, the time and peak RSS of
each phase, and the per-rank parameter count next to the arithmetic it should equal.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def expected_params(config: dict, tp: int, dp: int) -> int:
    """What one rank holds: every matrix is split over tp (rows or columns) and its dim 0 over
    dp, i.e. 1/64 of it; the RMSNorm vectors are replicated over tp and split over dp."""
    v, d, layers = config["vocab_size"], config["hidden_size"], config["num_hidden_layers"]
    kv = d // config["num_attention_heads"] * config["num_key_value_heads"]
    h = config["intermediate_size"]
    matrices = 2 * v * d + layers * (2 * d * d + 2 * d * kv + 3 * d * h)
    vectors = (2 * layers + 1) * d
    for n in (tp, dp):
        assert d % n == 0 and v % n == 0 and kv % n == 0 and h % n == 0, "the arithmetic assumes even shards"
    return matrices // (tp * dp) + vectors // dp


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rank", type=int, default=5)
    p.add_argument("--seq", type=int, default=2048)
    p.add_argument("--tp", type=int, default=8)
    p.add_argument("--dp", type=int, default=8)
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--wall", action="store_true",
                   help="wall-clock time (default: this process's CPU time, which a shared machine does not inflate)")
    args = p.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    t0 = clock()
    import torch
    from models import LLAMA_70B
    from llama_tp import Llama, shard_2d
    from rich.console import Console
    from tensorsight.analysis.distributed_memory import rank_memory
    from tensorsight.capture.dist_trace import trace_sharded
    from tensorsight.capture.distributed import simulated_world
    from torch._subclasses.fake_tensor import unset_fake_temporarily
    from torch.distributed.device_mesh import init_device_mesh
    t_import = clock()
    world = args.tp * args.dp
    with simulated_world(world, args.rank, fake_tensors=True):
        mesh = init_device_mesh("cpu", (args.dp, args.tp), mesh_dim_names=("dp", "tp"))
        # torchtitan's way: build and shard on the meta device (plain meta tensors, outside fake
        # mode: no dispatch in Python), then allocate what this rank holds: fake tensors here
        with unset_fake_temporarily(), torch.device("meta"):
            torch.set_default_dtype(torch.bfloat16)
            try:
                model = Llama(**LLAMA_70B)
            finally:
                torch.set_default_dtype(torch.float32)
        t_build = clock()
        with unset_fake_temporarily():
            shard_2d(model, mesh)
        model.to_empty(device="cpu")
        t_shard = clock()
        trace = trace_sharded(model, f"1x{args.seq}:long")
        t_trace = clock()
        mem = rank_memory(model, trace)
        coord = mesh.get_coordinate()
    want = expected_params(LLAMA_70B, args.tp, args.dp)
    Console(width=110).print(mem.table())
    phases = {"import": t_import - t0, "build (meta)": t_build - t_import, "shard (TP+FSDP, to_empty)": t_shard - t_build,
              "trace": t_trace - t_shard, "total": t_trace - t0}
    print(f"rank {args.rank} at mesh coordinate {tuple(coord)} (dp, tp); {len(trace)} ops, "
          f"{sum(len(e.dist.collectives) for e in trace if e.dist)} collectives")
    print(("wall time: " if args.wall else "CPU time: ") + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()) + f"; peak RSS {rss_mb():.0f} MB")
    print(f"parameters per rank: traced {mem.params:,} = {mem.param_bytes / 2**30:.3f} GiB bf16; "
          f"arithmetic (matrices/{args.tp * args.dp} + norm vectors/{args.dp}) {want:,}: "
          f"{'match' if mem.params == want else 'MISMATCH'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rank": args.rank, "seq": args.seq, "clock": "wall" if args.wall else "cpu", "phases_s": phases, "peak_rss_mb": rss_mb(),
                       "ops": len(trace), "expected_params": want, "memory": mem.to_dict()}, f, indent=1)
    return 0 if mem.params == want else 1


if __name__ == "__main__":
    sys.exit(main())
