"""Record what sharding does to each op: global → local shapes, placements, collectives.

Two small modes sit next to the Recorder, which stays unaware of torch.distributed:

- ``DistTap`` (a TorchFunctionMode entered after the Recorder, so it sees each call first)
  annotates every recorded op whose operands are DTensors with a ``DistInfo``, and hides the
  tensor calls that DTensor, tensor parallelism and FSDP make from their own Python code
  (``from_local``/``to_local`` views, all-gather buffers): they are the machinery, not the
  program. A hidden call passes the producer of its input on to its output, so a tensor keeps
  its history through ``to_local()``.
- ``CommTap`` (a TorchDispatchMode) sees the collectives DTensor and FSDP issue and counts each
  one's bytes per rank. A collective inside an op belongs to it; one issued by a module hook (a
  RowwiseParallel output's all-reduce, FSDP's parameter all-gather) belongs to the op it serves:
  the module's last op for an output hook, its first op for an input hook.
"""
from __future__ import annotations

import dataclasses
import os
import sys

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from .dist_events import Collective, DistInfo, Placed
from .recorder import _dims, _dtype_name, _walk_tensors

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_DIST_DIR = os.path.join(_TORCH_DIR, "distributed") + os.sep

# collective op name -> (kind, position of the argument that holds this rank's input)
_COLLECTIVES = {
    "all_gather_into_tensor": ("all_gather", 0), "all_gather_into_tensor_coalesced": ("all_gather", 0),
    "_allgather_base_": ("all_gather", 1), "allgather_": ("all_gather", 1),
    "allgather_into_tensor_coalesced_": ("all_gather", 1), "allgather_coalesced_": ("all_gather", 1),
    "reduce_scatter_tensor": ("reduce_scatter", 0), "reduce_scatter_tensor_coalesced": ("reduce_scatter", 0),
    "_reduce_scatter_base_": ("reduce_scatter", 1), "reduce_scatter_": ("reduce_scatter", 1),
    "reduce_scatter_tensor_coalesced_": ("reduce_scatter", 1),
    "all_reduce": ("all_reduce", 0), "all_reduce_coalesced": ("all_reduce", 0),
    "allreduce_": ("all_reduce", 0), "allreduce_coalesced_": ("all_reduce", 0),
    "all_to_all_single": ("all_to_all", 0), "alltoall_base_": ("all_to_all", 1), "alltoall_": ("all_to_all", 1),
    "broadcast": ("broadcast", 0), "broadcast_": ("broadcast", 0),
}
_NAMESPACES = frozenset({"_c10d_functional", "c10d_functional", "c10d", "_c10d_functional_autograd"})


def placement_name(p) -> str:
    name = type(p).__name__
    if name == "Replicate":
        return "R"
    if name == "Partial":
        return f"P({getattr(p, 'reduce_op', 'sum')})"
    if name == "_StridedShard":
        return f"S({p.dim},{p.split_factor})"
    if hasattr(p, "dim"):
        return f"S({p.dim})"
    return str(p)


def placed(t) -> Placed | None:
    from torch.distributed.tensor import DTensor
    if not isinstance(t, DTensor):
        return None
    return Placed(_dims(t.shape), _dims(t._local_tensor.shape), tuple(placement_name(p) for p in t.placements))


def mesh_dim_names(mesh) -> tuple[str, ...]:
    return tuple(mesh.mesh_dim_names or (f"dim{i}" for i in range(mesh.ndim)))


class DistTap(TorchFunctionMode):
    """Annotate the Recorder's events with DistInfo; hide DTensor/TP/FSDP machinery."""

    def __init__(self, recorder, model=None):
        super().__init__()
        import torch.distributed as dist
        self.rec = recorder
        self._world: tuple[int, int] | None = None  # (rank, world size) once the program initialised it
        self.open: int | None = None          # index the op being run will get
        self.in_op: list[Collective] = []
        self.in_hooks: list[tuple[int, str, Collective]] = []   # (position, module path, collective)
        self.group_dims: dict[str, str] = {}  # process-group name -> mesh dim name
        if dist.is_initialized():
            self.group_dims[dist.group.WORLD.group_name] = "world"
            self.world  # noqa: B018 - read rank and world size now
        if model is not None:
            for p in model.parameters():
                self.learn_mesh(getattr(p, "device_mesh", None))
        self._caller = None
        if getattr(recorder, "dedupe", False):
            # the deduplicating recorder keys ops by the frame that called them, which is now
            # ours: give it the program's frame instead, so ops of different lines stay apart
            recorder._signature = self._signature

    def _signature(self, func, args, kwargs):
        rec = self.rec
        f = self._caller
        sig = [func, id(rec._stack[-1][0]) if rec._stack else 0, f.f_code if f else None, f.f_lasti if f else 0]
        _walk_tensors((args, kwargs), lambda t: sig.append((tuple(t.shape), t.dtype)))
        return tuple(sig)

    @property
    def rank(self) -> int:
        return self.world[0]

    @property
    def world_size(self) -> int:
        return self.world[1]

    @property
    def world(self) -> tuple[int, int]:
        if self._world is None:
            import torch.distributed as dist
            if not dist.is_initialized():
                return 0, 1
            self._world = (dist.get_rank(), dist.get_world_size())
            self.group_dims.setdefault(dist.group.WORLD.group_name, "world")
        return self._world

    def learn_mesh(self, mesh) -> None:
        if mesh is None:
            return
        names = mesh_dim_names(mesh)
        for i, name in enumerate(names):
            try:
                group = mesh.get_group(i).group_name
                if mesh.mesh_dim_names or group not in self.group_dims:  # a named dim says more
                    self.group_dims[group] = name
            except Exception:  # noqa: BLE001 - a mesh without groups on this rank
                pass

    # -- the hook ----------------------------------------------------------------------------
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if self.rec.depth or _machinery_call():
            self.rec.depth += 1
            try:
                out = func(*args, **kwargs)
            finally:
                self.rec.depth -= 1
            if not self.rec.depth:
                self._carry_producer((args, kwargs), out)
            return out
        start = len(self.rec.trace.events)
        self._caller = sys._getframe(1)
        self._link_locals((args, kwargs))
        outer, self.open, saved = self.open, start, self.in_op
        self.in_op = []
        out = None
        try:
            out = func(*args, **kwargs)
            return out
        finally:
            collectives, self.in_op, self.open = self.in_op, saved, outer
            self._caller = None  # holds the program's frame only while its op runs
            if len(self.rec.trace.events) > start:
                self._annotate(self.rec.trace.events[start], (args, kwargs), out, collectives)

    def _annotate(self, event, args, out, collectives) -> None:
        from torch.distributed.tensor import DTensor
        dts: list = []
        ins: list = []
        _walk_tensors(args, lambda t: (ins.append(placed(t)), isinstance(t, DTensor) and dts.append(t)))
        outs: list = []
        _walk_tensors(out, lambda t: (outs.append(placed(t)), isinstance(t, DTensor) and dts.append(t)))
        if not dts and not collectives:
            return
        mesh = dts[0].device_mesh if dts else None
        for t in dts:
            self.learn_mesh(t.device_mesh)
        event.dist = DistInfo(self.rank, self.world_size, tuple(ins), tuple(outs), tuple(collectives),
                              tuple(mesh.shape) if mesh is not None else (),
                              mesh_dim_names(mesh) if mesh is not None else ())
        # to_local() views the DTensor's local tensor: give it the op's history too
        _walk_tensors(out, lambda t: isinstance(t, DTensor) and self.rec._map_outputs(t._local_tensor, event.index))

    def _producer(self, t) -> int | None:
        hit = self.rec._producer.get(id(t))
        return hit[1] if hit is not None and hit[0]() is t else None

    def _carry_producer(self, args, out) -> None:
        found: list = []
        _walk_tensors(args, lambda t: found.append(self._producer(t)))
        index = next((i for i in found if i is not None), None)
        if index is not None:
            _walk_tensors(out, lambda t: self._producer(t) is None and self.rec._map_outputs(t, index))

    def _link_locals(self, args) -> None:
        """A DTensor made by ``from_local`` has the history of its local tensor."""
        from torch.distributed.tensor import DTensor

        def link(t):
            if isinstance(t, DTensor) and self._producer(t) is None:
                index = self._producer(t._local_tensor)
                if index is not None:
                    self.rec._map_outputs(t, index)
        _walk_tensors(args, link)

    # -- collectives -------------------------------------------------------------------------
    def collective(self, c: Collective) -> None:
        if self.open is not None:
            self.in_op.append(c)
        else:
            self.in_hooks.append((len(self.rec.trace.events), self.rec.module_path,
                                  dataclasses.replace(c, at="hook")))

    def finish(self) -> None:
        """Give each collective a module hook issued to the op it serves."""
        events = self.rec.trace.events
        for position, path, c in self.in_hooks:
            if not events:
                break
            prev = events[position - 1] if position > 0 else None
            inside = prev is not None and (path == "" or prev.module == path or prev.module.startswith(path + "."))
            target = prev if inside or position >= len(events) else events[position]
            info = target.dist or DistInfo(self.rank, self.world_size)
            target.dist = dataclasses.replace(info, collectives=info.collectives + (c,))
        self.in_hooks = []


def _machinery_call() -> bool:
    """Whether the torch call comes from torch.distributed's own Python code: the nearest frame
    that is torch.distributed's (a hook, DTensor's from_local) or not torch's at all (the
    program) decides; torch's generic frames in between (nn.Module, torch._ops) do not."""
    f = sys._getframe(2)
    while f is not None:
        name = f.f_code.co_filename
        if name.startswith(_DIST_DIR):
            return True
        if not name.startswith(_TORCH_DIR):
            return False
        f = f.f_back
    return False


class CommTap(TorchDispatchMode):
    """Count the collectives below DTensor and FSDP, with their bytes per rank."""

    def __init__(self, tap: DistTap):
        super().__init__()
        self.tap = tap

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        from torch.distributed.tensor import DTensor
        if any(t is DTensor for t in types):
            return NotImplemented  # let DTensor turn the op into local ops and collectives first
        out = func(*args, **(kwargs or {}))
        packet = getattr(func, "_overloadpacket", None)
        if packet is not None and getattr(func, "namespace", "") in _NAMESPACES:
            known = _COLLECTIVES.get(packet.__name__)
            if known is not None:
                try:
                    self.tap.collective(self._describe(known, args, func.namespace))
                except Exception:  # noqa: BLE001 - counting must never break the program
                    if os.environ.get("TENSORSIGHT_DEBUG"):
                        raise
        return out

    def _describe(self, known, args, namespace: str) -> Collective:
        kind, position = known
        tensors: list = []
        _walk_tensors(args[position], tensors.append)
        size, name = _group_of(args)
        nbytes = sum(t.numel() * t.element_size() for t in tensors)
        if kind == "all_gather":
            nbytes *= size
        ring = nbytes * (size - 1) // size if size else 0
        wire = {"all_reduce": 2 * ring, "broadcast": nbytes}.get(kind, ring)
        first = tensors[0] if tensors else None
        return Collective(kind, size, self.tap.group_dims.get(name, ""), int(nbytes), int(wire),
                          _dims(first.shape) if first is not None else (),
                          _dtype_name(first.dtype) if first is not None else "",
                          api="c10d" if namespace == "c10d" else "functional")


def _group_of(args) -> tuple[int, str]:
    """(group size, group name) from a collective's arguments: a ProcessGroup object (c10d ops)
    or a group name (functional collectives)."""
    from torch.distributed.distributed_c10d import _resolve_process_group
    for a in args:
        if isinstance(a, torch.ScriptObject):
            pg = torch._C._distributed_c10d.ProcessGroup.unbox(a)
            return pg.size(), pg.group_name
    name = next((a for a in reversed(args) if isinstance(a, str)), None)
    if name is not None:
        try:
            return _resolve_process_group(name).size(), name
        except Exception:  # noqa: BLE001
            pass
    sizes = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    return (sizes[0] if sizes else 1), name or ""
