"""A memory bound for the real path: a forward run for real may allocate at most MAX_REAL_BYTES.

The real path runs small models for speed, but a model with 81 parameters can upsample its
input into gigabytes. Before each op the meter checks what factories (``torch.zeros(size)``)
and resampling (``F.interpolate``) are about to allocate, and after each op it adds the bytes of
the new storages it returned (the ops the recorder sees: a composite such as ``F.layer_norm``
counts by its result, not by its temporaries). Past the limit the real run stops with ``OverBudget`` and the
trace runs on meta tensors, which allocate nothing.
"""
from __future__ import annotations

import math

import torch
from torch.overrides import TorchFunctionMode

MAX_REAL_BYTES = 512 * 2**20   # bytes allocated in total by a forward on the real path


class OverBudget(Exception):
    """The real run would allocate more than MAX_REAL_BYTES."""


def _size_args(args, kwargs):
    size = kwargs.get("size")
    if size is None and args:
        size = args[0] if isinstance(args[0], (tuple, list, torch.Size)) else args
    if isinstance(size, (tuple, list, torch.Size)) and all(isinstance(d, int) for d in size):
        return size
    return None


_FACTORIES = frozenset({"zeros", "ones", "empty", "full", "rand", "randn", "new_zeros", "new_ones",
                        "new_empty", "new_full"})
_RESAMPLE = frozenset({"interpolate", "upsample"})
_kinds: dict = {}  # func -> 'size' (its arguments say what it allocates), 'view' (a property: no
                   # new storage), '' (count what it returns)


def _kind(func) -> str:
    kind = _kinds.get(func)
    if kind is None:
        name = getattr(func, "__name__", "")
        kind = "size" if name in _FACTORIES or name in _RESAMPLE else "view" if name == "__get__" else ""
        try:
            _kinds[func] = kind
        except TypeError:
            pass
    return kind


def _elements_before(func, args, kwargs) -> int:
    """Elements an op is about to allocate, where its arguments say so before it runs."""
    name = getattr(func, "__name__", "")
    if name in _FACTORIES:
        size = _size_args(args[1:] if name.startswith("new_") else args, kwargs)
        return math.prod(size) if size is not None else 0
    if name in _RESAMPLE:
        x = args[0] if args else kwargs.get("input")
        if not isinstance(x, torch.Tensor) or x.dim() < 3:
            return 0
        size = kwargs.get("size", args[1] if len(args) > 1 else None)
        scale = kwargs.get("scale_factor", args[2] if len(args) > 2 else None)
        spatial = x.dim() - 2
        if size is not None:
            dims = size if isinstance(size, (tuple, list)) else [size] * spatial
            return x.shape[0] * x.shape[1] * math.prod(int(d) for d in dims)
        if scale is not None:
            scales = scale if isinstance(scale, (tuple, list)) else [scale] * spatial
            return int(x.shape[0] * x.shape[1] * math.prod(s * float(f) for s, f in zip(x.shape[2:], scales)))
    return 0


class MemoryMeter(TorchFunctionMode):
    """The bound, used two ways: as a mode of its own around a forward, or handed to the
    Recorder (``Recorder(meter=...)``), which calls ``before`` and ``count`` around each op it
    runs: the real path's way, one Python call per op fewer. Either way ops count by their
    outputs (a new storage once), factories and resampling by their sizes before they run."""

    def __init__(self, limit: int = MAX_REAL_BYTES):
        super().__init__()
        self.limit = limit
        self.total = 0
        self._storages: set[int] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        kind = _kind(func)
        if kind == "size" and 4 * _elements_before(func, args, kwargs) + self.total > self.limit:
            raise OverBudget
        out = func(*args, **kwargs)
        if kind != "view":  # t.shape, t.T, t.data: nothing allocated
            self._count(out)
        return out

    def before(self, func, args, kwargs) -> None:
        """Raise OverBudget if ``func(*args, **kwargs)`` says it will allocate past the limit."""
        if _kind(func) == "size" and 4 * _elements_before(func, args, kwargs) + self.total > self.limit:
            raise OverBudget

    def count(self, out) -> None:
        """Count the new storages of an op's result; OverBudget past the limit."""
        if type(out) is not bool and out is not None:
            self._count(out)

    def _count(self, out, depth: int = 0) -> None:
        if isinstance(out, torch.Tensor):
            try:
                storage = out.untyped_storage()
                key = storage.data_ptr()
            except Exception:  # noqa: BLE001 - no storage (sparse, nested): not counted
                return
            if key not in self._storages:
                self._storages.add(key)
                self.total += storage.nbytes()
                if self.total > self.limit:
                    raise OverBudget
        elif depth < 3 and isinstance(out, (tuple, list)):
            for o in out:
                self._count(o, depth + 1)
