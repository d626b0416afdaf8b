"""One rank of a real 2-process gloo job (spawned by test_against_gloo): trace the small
transformer under TP and FSDP for real, and record each module's real output with plain hooks."""
from __future__ import annotations

import json
import os


def local_shape(t):
    from torch.distributed.tensor import DTensor
    return list((t._local_tensor if isinstance(t, DTensor) else t).shape)


def run_rank(rank: int, world: int, port: int, out_dir: str) -> None:
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world, init_method=f"tcp://127.0.0.1:{port}")
    try:
        import nets
        from tensorsight.capture.dist_trace import trace_sharded
        result = {}
        for kind in ("tp", "fsdp"):
            model = nets.build(kind)
            seen: dict[str, list] = {}

            def record(module, args, out, name):
                seen.setdefault(name, local_shape(out))  # returns None: the output stays as it is
            hooks = [m.register_forward_hook(lambda mod, args, out, name=name: record(mod, args, out, name))
                     for name, m in model.named_modules() if name]
            trace = trace_sharded(model, "2x8:long", real=True)
            for h in hooks:
                h.remove()
            result[kind] = {"trace": trace.to_dict(), "modules": seen}
        with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
            json.dump(result, f)
    finally:
        dist.destroy_process_group()
