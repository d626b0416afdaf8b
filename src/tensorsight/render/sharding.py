"""The memory of one rank as a table: what it holds, what one forward adds, what it sends."""
from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from ..capture.dist_events import fmt_bytes


def rank_table(mem) -> Table:
    mesh = "×".join(f"{n}{('=' + d) if d else ''}" for n, d in zip(mem.mesh, mem.mesh_dims)) or "—"
    title = f"rank {mem.rank} of {mem.world_size} (mesh {mesh})"
    table = Table(title=Text(title), box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("per rank")
    table.add_column("bytes", justify="right")
    table.add_column("how", style="dim")
    share = mem.params / mem.global_params if mem.global_params else 1.0
    rows = [
        ("parameters", mem.param_bytes, f"{mem.params:,} of {mem.global_params:,} elements ({share:.2%})"),
        ("gradients", mem.grad_bytes, "sharded like the parameters"),
        (f"optimizer state ({mem.optimizer_states}×)", mem.optimizer_bytes, "per trainable parameter"),
        ("buffers", mem.buffer_bytes, ""),
        ("activations, one forward", mem.activation_bytes, "local bytes of every op's new outputs"),
        ("FSDP unsharded group", mem.fsdp_gather_bytes, "largest all-gather while a group runs"),
    ]
    for name, n, how in rows:
        table.add_row(name, fmt_bytes(n), how)
    table.add_row(Text("total", style="bold"), Text(fmt_bytes(mem.total_bytes), style="bold"), "")
    for kind, (count, n) in sorted(mem.collectives.items()):
        table.add_row(f"{kind} ×{count}", fmt_bytes(n), "bytes per rank, one forward")
    return table


ROLE_MARK = {"weight": "w", "bias": "b", "param": "w", "buffer": "buf"}


def sharding_lines(event) -> list[str]:
    """What sharding does to one op: each sharded operand as global→local placement, then each
    collective. Replicated plain activations say nothing."""
    d = event.dist
    if d is None:
        return []
    lines = []
    for metas, placed, arrow in ((event.inputs, d.inputs, "in"), (event.outputs, d.outputs, "out")):
        for i, p in enumerate(placed):
            if p is None:
                continue
            role = metas[i].role if i < len(metas) else ""
            mark = ROLE_MARK.get(role, arrow)
            lines.append(f"{mark} {p}")
    lines += [str(c) + (" (hook)" if c.at == "hook" else "") for c in d.collectives]
    return lines


def has_sharding(trace) -> bool:
    return any(e.dist is not None for e in trace.events)


def module_sharding(trace, call) -> str:
    """The placements of a module call's own sharded parameters, e.g. 'w S(0) [32,32]→[16,32]'."""
    for e in trace.events[call.start:call.end]:
        if e.module != call.path or e.dist is None:
            continue
        parts = [f"{ROLE_MARK.get(m.role, 'w')} {p}" for m, p in zip(e.inputs, e.dist.inputs)
                 if p is not None and m.role in ("weight", "bias", "param")]
        comm = [str(c) for c in e.dist.collectives]
        if parts or comm:
            return "  ".join(parts + comm)
    return ""
