"""Turn what users pass as an example into tensors, and leave everything else alone.

Only what the user means as a shape becomes a tensor:

* ``tensorsight.shape("2x128:long")`` (a :class:`ShapeSpec`) anywhere, and tensors anywhere;
* in the ``example`` slot (the positional argument of ``trace``/``summary``), also a shape
  string (``"1x3x32x32"``, ``"16"``, ``"N x 3"``) and a tuple of ints, at the top, inside the
  tuple of positional arguments and as values of an input dict;
* among keyword arguments, also a string written like a shape with two sizes or more or with a
  dtype (``attention_mask="1x16:long"``).

Strings that are words (``mode="nearest"``), ints, all-int tuples given as keywords
(``size=(16, 16)``), namedtuples, dataclasses, None reach ``forward`` exactly as given.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import torch

from ..errors import TensorsightError
from ..shapes import ShapeSpec, parse_shape


def shape(value, dtype: str | None = None) -> ShapeSpec:
    """An explicit "this is a shape" value: ``shape("2x128:long")``, ``shape((16, 16))``,
    ``shape([2, 3], dtype="long")``. It becomes a tensor of that shape (zeros) wherever it is
    passed, keyword arguments included."""
    if isinstance(value, ShapeSpec):
        spec = value
    elif isinstance(value, str):
        spec = parse_shape(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        spec = ShapeSpec((value,))
    elif _int_sequence(value) or (isinstance(value, (tuple, list)) and len(value) == 0):
        spec = ShapeSpec(tuple(int(d) for d in value))
    else:
        raise TensorsightError(f"tensorsight.shape() takes a shape such as '2x128:long' or (16, 16), "
                               f"got {type(value).__name__}")
    if any(isinstance(d, int) and d < 0 for d in spec.dims):
        raise TensorsightError(f"negative size in shape {spec.dims}")
    if dtype is not None:
        spec = dataclasses.replace(spec, dtype=parse_shape(f"1:{dtype}").dtype)
    return spec


def _int_sequence(x) -> bool:
    return isinstance(x, (tuple, list, torch.Size)) and not hasattr(x, "_fields") and len(x) > 0 and all(
        isinstance(d, int) and not isinstance(d, bool) for d in x)


def is_shape(x) -> bool:
    """A tuple/list of ints in the example slot (a namedtuple is a value, not a shape)."""
    return _int_sequence(x)


def _shape_string(text: str, keyword: bool) -> ShapeSpec | None:
    try:
        spec = parse_shape(text)
    except TensorsightError:
        return None
    has_digit = any(isinstance(d, int) for d in spec.dims)
    if keyword:  # mode="nearest" is a word; "1x16:long" or "N x T" is a shape
        return spec if len(spec.dims) >= 2 or ":" in text else None
    return spec if has_digit or len(spec.dims) >= 2 or ":" in text else None


def as_spec(x) -> ShapeSpec | None:
    """The shape ``x`` stands for in the example slot, or None."""
    if isinstance(x, ShapeSpec):
        return x
    if isinstance(x, str):
        return _shape_string(x, keyword=False)
    if is_shape(x):
        return ShapeSpec(tuple(int(d) for d in x))
    return None


def _example_value(x, depth: int = 0):
    spec = as_spec(x) if not isinstance(x, torch.Tensor) else None
    if spec is not None:
        return spec
    if depth < 2 and isinstance(x, dict):
        return {k: _example_value(v, depth + 1) for k, v in x.items()}
    if depth < 2 and type(x) in (tuple, list):
        return type(x)(_example_value(v, depth + 1) for v in x)
    return x


def normalize_example(example) -> tuple:
    """The positional arguments for forward: one example, or a tuple of several; the example
    slot's shapes (strings, int tuples) are made explicit ShapeSpecs."""
    if example is None:
        return ()
    if isinstance(example, str):  # the whole example one string: a shape, or the user's mistake
        return (parse_shape(example),)
    if as_spec(example) is not None or isinstance(example, (torch.Tensor, dict)):
        return (_example_value(example),)
    if type(example) in (tuple, list):
        return tuple(_example_value(v, 1) for v in example)
    return (example,)


def normalize_kwargs(kwargs: dict | None) -> dict:
    """Keyword arguments: shape-like strings become ShapeSpecs, nothing else changes."""
    out = {}
    for k, v in (kwargs or {}).items():
        spec = _shape_string(v, keyword=True) if isinstance(v, str) else None
        out[k] = spec if spec is not None else v
    return out


def materialize(value, make: Callable[[ShapeSpec], torch.Tensor], convert: Callable[[torch.Tensor], Any],
                depth: int = 0):
    """Replace ShapeSpecs by ``make(spec)`` and tensors by ``convert(t)``, keeping the structure
    (dicts, lists, tuples, namedtuples, dataclasses); every other value is passed as is."""
    if isinstance(value, ShapeSpec):
        return make(value)
    if isinstance(value, torch.Tensor):
        return convert(value)
    if depth > 6:
        return value
    if isinstance(value, dict):
        if not _has_tensor_or_spec(value):
            return value
        items = {k: materialize(v, make, convert, depth + 1) for k, v in value.items()}
        try:
            return type(value)(items)
        except Exception:  # noqa: BLE001 - a dict subclass with another constructor
            return items
    if isinstance(value, (list, tuple)):
        if not _has_tensor_or_spec(value):
            return value
        items = [materialize(v, make, convert, depth + 1) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and _has_tensor_or_spec(value):
        changes = {f.name: materialize(getattr(value, f.name), make, convert, depth + 1)
                   for f in dataclasses.fields(value) if f.init and hasattr(value, f.name)}
        try:
            return dataclasses.replace(value, **changes)
        except Exception:  # noqa: BLE001 - a dataclass whose __init__ does more: leave it be
            return value
    return value


def _has_tensor_or_spec(value, depth: int = 0) -> bool:
    if isinstance(value, (torch.Tensor, ShapeSpec)):
        return True
    if depth > 6:
        return False
    if isinstance(value, dict):
        return any(_has_tensor_or_spec(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_tensor_or_spec(v, depth + 1) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_has_tensor_or_spec(getattr(value, f.name, None), depth + 1) for f in dataclasses.fields(value))
    return False


def spec_tensor(spec: ShapeSpec, device="cpu", fill="zeros") -> torch.Tensor:
    """A tensor for a concrete spec; integer dtypes get small valid ids (zeros)."""
    if spec.symbolic:
        raise TensorsightError(
            f"input {'x'.join(map(str, spec.dims))} has named sizes; use tensorsight.symbolic() or "
            f"--symbolic for formulas, or give numbers, e.g. 1x3x32x32")
    dtype = getattr(torch, spec.dtype)
    return torch.zeros(spec.dims, dtype=dtype, device=device)
