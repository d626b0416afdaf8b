"""Shapes as users write them and as tensorsight prints them.

Parsing: ``"1x1x32x32"``, ``"2x128:long"``, ``"(1, 3, 224, 224)"``, ``"N x 1 x H x W"`` (names are
symbolic dimensions). Printing: jaxtyping-style ``f32[16,3,32,32]``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import TensorsightError

# short names users type after ':' -> torch dtype attribute names
DTYPE_ALIASES = {
    "float": "float32", "float32": "float32", "f32": "float32", "fp32": "float32",
    "double": "float64", "float64": "float64", "f64": "float64",
    "half": "float16", "float16": "float16", "f16": "float16", "fp16": "float16",
    "bfloat16": "bfloat16", "bf16": "bfloat16",
    "long": "int64", "int64": "int64", "i64": "int64",
    "int": "int32", "int32": "int32", "i32": "int32",
    "int16": "int16", "short": "int16", "int8": "int8", "uint8": "uint8", "byte": "uint8",
    "bool": "bool",
}

# torch dtype name -> compact prefix used when printing
SHORT_DTYPE = {
    "float32": "f32", "float64": "f64", "float16": "f16", "bfloat16": "bf16",
    "int64": "i64", "int32": "i32", "int16": "i16", "int8": "i8", "uint8": "u8",
    "bool": "bool", "complex64": "c64", "complex128": "c128",
}


# torch's own limits on a tensor: sizes and storage bytes are int64 ("Storage size calculation
# overflowed" above); the rank limit is ours, far above any real model (docs/limits.md)
MAX_RANK = 64
MAX_STORAGE_BYTES = 2 ** 63 - 1
_DIGITS_MAX = len(str(2 ** 63 - 1))
ITEM_BYTES = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4,
              "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex64": 8, "complex128": 16}


@dataclass(frozen=True)
class ShapeSpec:
    """A parsed ``--input``: dims are ints or symbol names; dtype is a torch dtype name.

    Every spec is checked when it is made (from a string or from a tuple given to the API):
    sizes are whole numbers >= 0 or names, and the tensor fits torch's int64 storage size."""
    dims: tuple[int | str, ...]
    dtype: str = "float32"

    def __post_init__(self):
        check_dims(self.dims, self.dtype)

    @property
    def symbolic(self) -> bool:
        return any(isinstance(d, str) for d in self.dims)


_DIM = re.compile(r"^(?:[0-9]+|[A-Za-z_][A-Za-z_0-9]*)$")
_COMMAS = re.compile(r"\s*,\s*")
_CROSSES = re.compile(r"\s*[x×*]\s*|\s+")


def check_dims(dims, dtype: str = "float32", shown=None) -> None:
    """Raise TensorsightError unless ``dims`` is a shape torch can hold."""
    shown = shown if shown is not None else "(" + ", ".join(map(_dim_text, dims)) + ")"
    if len(dims) > MAX_RANK:
        raise TensorsightError(f"the shape {_clip(shown)} has {len(dims)} dimensions; at most {MAX_RANK} "
                               f"are supported (docs/limits.md)")
    numel = 1
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, str)):
            raise TensorsightError(f"the shape {_clip(shown)} has the size {d!r} ({type(d).__name__}); "
                                   f"sizes are whole numbers >= 0, e.g. (1, 3, 32, 32)")
        if isinstance(d, str):
            if not d.isidentifier():
                raise TensorsightError(f"the shape {_clip(shown)} has the size {d!r}, neither a number nor a name")
            continue
        if d < 0:
            raise TensorsightError(f"the shape {_clip(shown)} has the negative size {_dim_text(d)}; sizes are whole "
                                   f"numbers >= 0, e.g. (1, 3, 32, 32)")
        numel *= d
    item = ITEM_BYTES.get(dtype, 8)
    if numel * item > MAX_STORAGE_BYTES:
        raise TensorsightError(f"the shape {_clip(shown)} holds {_big(numel)} {dtype} values "
                               f"({_big(numel * item)} bytes); torch's limit is 2^63 - 1 bytes per tensor")


def _dim_text(d) -> str:
    if isinstance(d, int) and not isinstance(d, bool) and d.bit_length() > 80:  # no 5,000-digit repr
        return f"~10^{int(d.bit_length() * 0.30103)}"
    return repr(d)


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


def _big(n: int) -> str:
    return f"{n:,}" if n < 10 ** 24 else f"about 10^{int(n.bit_length() * 0.30103)}"


def parse_shape(text: str) -> ShapeSpec:
    """Parse ``"1x1x32x32"``, ``"2x128:long"``, ``"(1,3,32,32)"`` or ``"N x 1 x H x W"``."""
    raw = text
    dtype = "float32"
    if ":" in text:
        text, _, dt = text.rpartition(":")
        key = dt.strip().lower().removeprefix("torch.")
        if key not in DTYPE_ALIASES:
            raise TensorsightError(
                f"unknown dtype {_clip(dt, 20)!r} in input {_clip(raw)!r}; use one of float, double, half, long, int, bool "
                f"(e.g. --input 2x128:long)")
        dtype = DTYPE_ALIASES[key]
    body = text.strip().strip("()[]").strip()
    if not body:
        raise TensorsightError(f"empty shape {_clip(raw)!r}; write the sizes separated by 'x', e.g. --input 1x3x32x32")
    if body.replace("x", "").isdigit():  # the common "1x3x32x32": no regular expression
        parts = [p for p in body.split("x") if p != ""]
    else:
        parts = [p for p in (_COMMAS if "," in body else _CROSSES).split(body) if p != ""]
    dims: list[int | str] = []
    for p in parts:
        if not _DIM.match(p):
            raise TensorsightError(
                f"cannot read shape {_clip(raw)!r}: {_clip(p, 20)!r} is not a size; write sizes separated by 'x', "
                f"e.g. --input 1x3x32x32 (or 2x128:long for token ids)")
        if p.isdigit() and len(p.lstrip("0")) > _DIGITS_MAX:
            raise TensorsightError(f"the size {_clip(p, 24)} in {_clip(raw)!r} has {len(p):,} digits; torch "
                                   f"sizes are at most 2^63 - 1 ({_DIGITS_MAX} digits)")
        if p.isdigit() and int(p) > 2 ** 63 - 1:
            raise TensorsightError(f"the size {p} in {_clip(raw)!r} is above torch's limit 2^63 - 1")
        dims.append(int(p) if p[0].isdigit() else p)
    check_dims(tuple(dims), dtype, repr(raw))
    return ShapeSpec(tuple(dims), dtype)


def short_dtype(dtype) -> str:
    name = str(dtype).removeprefix("torch.")
    return SHORT_DTYPE.get(name, name)


def fmt_dims(shape) -> str:
    return ",".join(str(d) for d in shape)


def fmt_shape(shape, dtype=None) -> str:
    """``f32[16,3,32,32]``; without dtype just ``[16,3,32,32]``."""
    body = f"[{fmt_dims(shape)}]"
    return f"{short_dtype(dtype)}{body}" if dtype is not None else body
