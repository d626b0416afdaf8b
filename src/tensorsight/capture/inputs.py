"""Turn what users pass as an example (tensors, shapes, shape strings, dicts) into tensors."""
from __future__ import annotations

from typing import Any, Callable

import torch

from ..errors import TensorsightError
from ..shapes import ShapeSpec, parse_shape


def is_shape(x) -> bool:
    return isinstance(x, (tuple, list, torch.Size)) and len(x) > 0 and all(
        isinstance(d, int) and not isinstance(d, bool) for d in x)


def as_spec(x) -> ShapeSpec | None:
    if isinstance(x, ShapeSpec):
        return x
    if isinstance(x, str):
        return parse_shape(x)
    if is_shape(x):
        return ShapeSpec(tuple(int(d) for d in x))
    return None


def normalize_example(example) -> tuple:
    """The positional arguments for forward: one example, or a tuple of several."""
    if example is None:
        return ()
    if as_spec(example) is not None or isinstance(example, (torch.Tensor, dict)):
        return (example,)
    if isinstance(example, (tuple, list)):
        return tuple(example)
    return (example,)


def materialize(value, make: Callable[[ShapeSpec], torch.Tensor], convert: Callable[[torch.Tensor], Any]):
    """Replace shapes by ``make(spec)`` and tensors by ``convert(t)``, keeping the structure."""
    spec = as_spec(value) if not isinstance(value, torch.Tensor) else None
    if spec is not None:
        return make(spec)
    if isinstance(value, torch.Tensor):
        return convert(value)
    if isinstance(value, dict):
        return {k: materialize(v, make, convert) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [materialize(v, make, convert) for v in value]
        return type(value)(items) if not hasattr(value, "_fields") else type(value)(*items)
    return value


def spec_tensor(spec: ShapeSpec, device="cpu", fill="zeros") -> torch.Tensor:
    """A tensor for a concrete spec; integer dtypes get small valid ids (zeros)."""
    if spec.symbolic:
        raise TensorsightError(
            f"input {'x'.join(map(str, spec.dims))} has named sizes; use tensorsight.symbolic() or "
            f"--symbolic for formulas, or give numbers, e.g. 1x3x32x32")
    dtype = getattr(torch, spec.dtype)
    return torch.zeros(spec.dims, dtype=dtype, device=device)
