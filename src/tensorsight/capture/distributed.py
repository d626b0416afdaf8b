"""One rank of a torch.distributed job, simulated in this process: no other ranks, no accelerator.

``simulated_world(world_size, rank)`` sets the environment torchrun would (RANK, WORLD_SIZE,
LOCAL_RANK, MASTER_ADDR, MASTER_PORT), initialises torch's fake process-group backend (its
collectives return at once and move nothing) and makes the program's own
``init_process_group`` use it whatever backend it asks for. With ``fake_tensors=True`` the
block also runs under a FakeTensorMode, so a 70B model built inside it holds no memory; a
DeviceMesh's own bookkeeping (a small tensor of rank ids it searches with ``nonzero``) is kept
out of fake mode. On exit the process group is destroyed and every patch and variable is put
back: no global state is left behind.
"""
from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass

ENV_KEYS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
            "GROUP_RANK", "ROLE_RANK")


@dataclass
class World:
    world_size: int
    rank: int
    fake_mode: object = None   # the FakeTensorMode of the block (None without fake tensors)


def check_world(world_size: int, rank: int) -> None:
    from ..errors import TensorsightError
    if world_size < 1:
        raise TensorsightError(f"--world-size must be at least 1, got {world_size}")
    if not 0 <= rank < world_size:
        raise TensorsightError(f"--rank must be in 0…{world_size - 1} for --world-size {world_size}, got {rank}")


@contextlib.contextmanager
def simulated_world(world_size: int, rank: int = 0, *, fake_tensors: bool = False,
                    init: bool = True):
    """Run the block as rank ``rank`` of ``world_size`` on the fake backend.

    ``init=False`` leaves ``init_process_group`` to the program (a script written for torchrun).
    """
    import torch.distributed as dist
    check_world(world_size, rank)
    if dist.is_initialized():
        from ..errors import TensorsightError
        raise TensorsightError("a process group is already initialised in this process; "
                               "simulate a rank in a fresh process")
    saved_env = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ.update({"RANK": str(rank), "WORLD_SIZE": str(world_size), "LOCAL_RANK": str(rank),
                       "LOCAL_WORLD_SIZE": str(world_size), "GROUP_RANK": "0", "ROLE_RANK": str(rank),
                       "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"})
    world = World(world_size, rank)
    with contextlib.ExitStack() as stack:
        stack.callback(_restore_env, saved_env)
        stack.enter_context(_fake_init_process_group(world_size, rank))
        stack.enter_context(track_parallel_styles())
        stack.callback(_destroy_all)
        if init:
            dist.init_process_group()  # the patched one: the fake backend
        if fake_tensors:
            from torch._subclasses.fake_tensor import FakeTensorMode
            stack.enter_context(_mesh_outside_fake_mode())
            # no ShapeEnv: sizes stay plain ints, which keeps DTensor's and FSDP's many small
            # ops on fake tensors cheap (a 70B model shards in seconds)
            world.fake_mode = FakeTensorMode(allow_non_fake_inputs=True)
            stack.enter_context(world.fake_mode)
        yield world


def _restore_env(saved: dict) -> None:
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _destroy_all() -> None:
    import torch.distributed as dist
    if dist.is_initialized():
        dist.destroy_process_group()
    try:  # device meshes are cached per process: forget the simulated ones
        from torch.distributed.device_mesh import _mesh_resources
        _mesh_resources.mesh_stack.clear()
    except (ImportError, AttributeError):
        pass


@contextlib.contextmanager
def _fake_init_process_group(world_size: int, rank: int):
    """Every ``init_process_group`` (torch.distributed's and the one scripts import) becomes the
    fake backend with this rank; a second call once ours is up is a no-op."""
    import torch.distributed as dist
    import torch.distributed.distributed_c10d as c10d
    import torch.testing._internal.distributed.fake_pg  # noqa: F401 - registers the 'fake' backend
    from torch.testing._internal.distributed.fake_pg import FakeStore
    original = c10d.init_process_group

    @functools.wraps(original)
    def init_process_group(backend=None, *args, **kwargs):
        if dist.is_initialized():
            return None
        for key in ("init_method", "store", "rank", "world_size", "device_id"):
            kwargs.pop(key, None)
        return original("fake", store=FakeStore(), rank=rank, world_size=world_size,
                        **{k: v for k, v in kwargs.items() if k in ("timeout", "group_name", "pg_options")})

    patched = [(mod, "init_process_group") for mod in (dist, c10d)]
    saved = [(mod, name, getattr(mod, name)) for mod, name in patched]
    for mod, name in patched:
        setattr(mod, name, init_process_group)
    try:
        yield
    finally:
        for mod, name, value in saved:
            setattr(mod, name, value)


@contextlib.contextmanager
def _mesh_outside_fake_mode():
    """DeviceMesh builds and searches a tensor of rank ids (``nonzero``): real, never fake. Its
    methods run outside fake mode; the identity rank map ``init_device_mesh`` made inside the
    block (a fake ``arange``) is made again for real."""
    import types
    from torch._subclasses.fake_tensor import FakeTensor, unset_fake_temporarily
    from torch.distributed.device_mesh import DeviceMesh

    def outside(fn):
        @functools.wraps(fn)
        def method(self, *args, **kwargs):
            with unset_fake_temporarily():
                rank_map = kwargs.get("_rank_map")
                if isinstance(rank_map, FakeTensor):  # init_device_mesh's torch.arange(n)
                    kwargs["_rank_map"] = torch.arange(rank_map.numel(), dtype=rank_map.dtype)
                return fn(self, *args, **kwargs)
        return method

    import torch
    saved = {name: fn for name, fn in vars(DeviceMesh).items() if isinstance(fn, types.FunctionType)
             and (not name.startswith("__") or name in ("__init__", "__getitem__"))}
    for name, fn in saved.items():
        setattr(DeviceMesh, name, outside(fn))
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(DeviceMesh, name, fn)


def fake_mode_of(model) -> object | None:
    """The FakeTensorMode the model's (local) parameters live in, if any."""
    from torch._subclasses.fake_tensor import FakeTensor
    for t in list(model.parameters()) + list(model.buffers()):
        local = local_tensor(t)
        if isinstance(local, FakeTensor):
            return local.fake_mode
    return None


def local_tensor(t):
    """This rank's part of ``t`` (itself for a plain tensor)."""
    from torch.distributed.tensor import DTensor
    return t._local_tensor if isinstance(t, DTensor) else t


def holds_dtensors(model) -> bool:
    """Whether the model was sharded (TP/FSDP2 parameters are DTensors). Costs nothing for a
    program that never imported DTensor (it cannot hold one)."""
    import sys
    api = sys.modules.get("torch.distributed.tensor")
    dtensor = getattr(api, "DTensor", None) if api is not None else None
    return dtensor is not None and any(isinstance(p, dtensor) for p in model.parameters())


# module -> (style class name, the user line that made the style); filled while tracking
_styles: "weakref.WeakKeyDictionary" = None  # type: ignore[assignment]
_style_sites: dict[int, object] = {}


def parallel_style(module) -> tuple[str, object] | None:
    """(``'ColwiseParallel'``, Frame of ``ColwiseParallel()`` in the user's code) for a module
    that ``parallelize_module`` gave a style, while styles are tracked."""
    if _styles is None:
        return None
    try:
        return _styles.get(module)
    except TypeError:
        return None


@contextlib.contextmanager
def track_parallel_styles():
    """Remember which ParallelStyle each module got and where the style was written, so a
    diagnosis can point at the plan entry (``"wq": ColwiseParallel()``) to change."""
    global _styles
    import weakref
    try:
        from torch.distributed.tensor.parallel import style as style_mod
    except ImportError:
        yield
        return
    if _styles is not None:  # already tracking (a simulated world inside a watched run)
        yield
        return
    from .source import user_frame
    classes = [c for c in vars(style_mod).values() if isinstance(c, type)
               and issubclass(c, style_mod.ParallelStyle) and c is not style_mod.ParallelStyle]
    saved = [(c, c.__dict__.get("__init__"), c.__dict__.get("_apply")) for c in classes]
    _styles = weakref.WeakKeyDictionary()

    def wrap_init(init):
        @functools.wraps(init)
        def __init__(self, *args, **kwargs):
            init(self, *args, **kwargs)
            if id(self) not in _style_sites:
                _style_sites[id(self)] = user_frame(1)
        return __init__

    def wrap_apply(apply):
        @functools.wraps(apply)
        def _apply(self, module, *args, **kwargs):
            try:
                _styles[module] = (type(self).__name__, _style_sites.get(id(self)))
            except TypeError:
                pass
            return apply(self, module, *args, **kwargs)
        return _apply

    for c, init, apply in saved:
        if init is not None:
            c.__init__ = wrap_init(init)
        if apply is not None:
            c._apply = wrap_apply(apply)
    try:
        yield
    finally:
        for c, init, apply in saved:
            if init is not None:
                c.__init__ = init
            if apply is not None:
                c._apply = apply
        _styles = None
        _style_sites.clear()
