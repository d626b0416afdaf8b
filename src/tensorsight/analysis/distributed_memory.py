"""Memory of one rank of a sharded model: parameters, gradients, optimizer state, activations.

Parameters and gradients are what this rank holds: the local shard of each DTensor parameter
(tensor-parallel slices, FSDP2 dim-0 shards) and the whole of a plain one. Activations are the
local bytes of every tensor the forward's ops allocate on this rank (views allocate nothing),
read from the trace's ``event.dist``. FSDP2 all-gathers one group's parameters at a time: the
largest all-gather is the extra memory while that group runs. Collectives are summed per kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..capture.events import Trace

# ops whose output shares its input's storage: they allocate nothing
VIEW_OPS = frozenset({
    "view", "view_as", "reshape", "transpose", "permute", "expand", "expand_as", "unsqueeze",
    "squeeze", "t", "T", "as_strided", "narrow", "select", "unflatten", "flatten", "unbind",
    "split", "chunk", "detach", "__getitem__", "movedim", "swapaxes", "diagonal", "alias",
    "contiguous", "unfold", "view_as_real", "view_as_complex", "real", "imag", "mT", "mH",
})
_ITEMSIZE = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4,
             "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex64": 8, "complex128": 16,
             "float8_e4m3fn": 1, "float8_e5m2": 1}


@dataclass
class RankMemory:
    rank: int
    world_size: int
    mesh: tuple[int, ...]
    mesh_dims: tuple[str, ...]
    params: int                  # elements this rank holds
    global_params: int           # elements of the whole model
    param_bytes: int
    grad_bytes: int
    optimizer_bytes: int
    optimizer_states: int
    buffer_bytes: int
    activation_bytes: int        # one forward, on this rank
    fsdp_gather_bytes: int       # the largest FSDP all-gather (unsharded group) during forward
    collectives: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (count, bytes)

    @property
    def total_bytes(self) -> int:
        return (self.param_bytes + self.grad_bytes + self.optimizer_bytes + self.buffer_bytes
                + self.activation_bytes + self.fsdp_gather_bytes)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["collectives"] = {k: {"count": c, "bytes": b} for k, (c, b) in self.collectives.items()}
        d["total_bytes"] = self.total_bytes
        return d

    def table(self):
        from ..render.sharding import rank_table
        return rank_table(self)


def rank_memory(model, trace: Trace, *, optimizer_states: int = 2) -> RankMemory:
    """Per-rank memory of ``model`` (its parameters now) and one forward (``trace``).
    ``optimizer_states``: copies of each trainable parameter the optimizer keeps (Adam: 2)."""
    import torch.distributed as dist
    from ..capture.distributed import local_tensor
    seen: set[int] = set()
    params = global_params = param_bytes = grad_bytes = 0
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        local = local_tensor(p)
        n = local.numel()
        params += n
        global_params += p.numel()
        param_bytes += n * local.element_size()
        if p.requires_grad:
            grad_bytes += n * local.element_size()
    buffer_bytes = sum(local_tensor(b).numel() * local_tensor(b).element_size()
                       for b in {id(b): b for b in model.buffers()}.values())
    rank = dist.get_rank() if dist.is_initialized() else 0
    world = dist.get_world_size() if dist.is_initialized() else 1
    mesh, dims = (), ()
    for p in model.parameters():  # the largest mesh a parameter lives on (FSDP × TP: both dims)
        m = getattr(p, "device_mesh", None)
        if m is not None and len(m.shape) > len(mesh):
            from ..capture.dist_record import mesh_dim_names
            mesh, dims = tuple(m.shape), mesh_dim_names(m)
    return RankMemory(rank, world, mesh, dims, params, global_params, param_bytes, grad_bytes,
                      optimizer_states * grad_bytes, optimizer_states, buffer_bytes,
                      activation_bytes(trace), fsdp_gather_bytes(trace), collective_totals(trace))


def local_output_bytes(event) -> int:
    """Bytes of the event's outputs on this rank (local shards for DTensor outputs)."""
    total = 0
    placed = event.dist.outputs if event.dist is not None else ()
    for i, meta in enumerate(event.outputs):
        shape = placed[i].local_shape if i < len(placed) and placed[i] is not None else meta.shape
        size = _ITEMSIZE.get(meta.dtype)
        if size is None or not all(isinstance(d, int) for d in shape):
            continue
        n = 1
        for d in shape:
            n *= d
        total += n * size
    return total


def activation_bytes(trace: Trace) -> int:
    return sum(local_output_bytes(e) for e in trace.events
               if e.name not in VIEW_OPS and not e.name.endswith("_") and not e.error)


def fsdp_gather_bytes(trace: Trace) -> int:
    return max((c.bytes for e in trace.events if e.dist is not None for c in e.dist.collectives
                if c.kind == "all_gather" and c.api == "c10d"), default=0)


def collective_totals(trace: Trace) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for e in trace.events:
        for c in (e.dist.collectives if e.dist is not None else ()):
            n, b = out.get(c.kind, (0, 0))
            out[c.kind] = (n + 1, b + c.bytes)
    return out
