"""What a sharded op looked like on one rank: plain data next to an OpEvent (``event.dist``).

A DTensor has a global shape (what the program means) and a local shape (what this rank holds),
laid out by one placement per mesh dimension: ``S(0)`` sharded on dim 0, ``R`` replicated,
``P(sum)`` a partial sum waiting for a reduction. Collectives are what moved data to make the op
possible, with the bytes each rank puts into them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..shapes import fmt_shape


@dataclass(frozen=True)
class Placed:
    """One DTensor operand: its global shape, this rank's local shape, its placements."""
    global_shape: tuple[int | str, ...]
    local_shape: tuple[int | str, ...]
    placements: tuple[str, ...]          # one per mesh dim: 'S(0)', 'R', 'P(sum)', '_S(0,2)'

    @property
    def sharded(self) -> bool:
        return self.global_shape != self.local_shape

    def __str__(self) -> str:
        return f"{fmt_shape(self.global_shape)}→{fmt_shape(self.local_shape)} {'·'.join(self.placements)}"


@dataclass(frozen=True)
class Collective:
    """One collective on this rank. ``bytes`` is the buffer size per rank the way nccl-tests
    counts it (all-gather: the gathered output, reduce-scatter: the full input, all-reduce and
    all-to-all: the tensor); ``wire_bytes`` what a ring sends per rank: (n−1)/n of that, twice
    for an all-reduce."""
    kind: str                            # 'all_gather', 'reduce_scatter', 'all_reduce', 'all_to_all', 'broadcast'
    group_size: int
    mesh_dim: str                        # mesh dimension name ('tp', 'dp', 'dim0'), '' if unknown
    bytes: int
    wire_bytes: int
    shape: tuple[int | str, ...]         # the local tensor that went in
    dtype: str
    at: str = "op"                       # 'op' (inside the op) or 'hook' (a parallel style / FSDP hook)
    api: str = "functional"              # 'functional' (DTensor's funcol) or 'c10d' (FSDP, DDP, the program's own)

    def __str__(self) -> str:
        dim = f"@{self.mesh_dim}" if self.mesh_dim else ""
        return f"{self.kind}{dim}×{self.group_size} {fmt_bytes(self.bytes)}"


@dataclass(frozen=True)
class DistInfo:
    """The sharded view of one op on the simulated rank (None entries: plain tensors)."""
    rank: int
    world_size: int
    inputs: tuple[Placed | None, ...] = ()
    outputs: tuple[Placed | None, ...] = ()
    collectives: tuple[Collective, ...] = ()
    mesh: tuple[int, ...] = ()           # the mesh shape of the first DTensor operand
    mesh_dims: tuple[str, ...] = ()

    @property
    def comm_bytes(self) -> int:
        return sum(c.bytes for c in self.collectives)


def fmt_bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
