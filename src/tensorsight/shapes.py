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


@dataclass(frozen=True)
class ShapeSpec:
    """A parsed ``--input``: dims are ints or symbol names; dtype is a torch dtype name."""
    dims: tuple[int | str, ...]
    dtype: str = "float32"

    @property
    def symbolic(self) -> bool:
        return any(isinstance(d, str) for d in self.dims)


_DIM = re.compile(r"^(?:\d+|[A-Za-z_][A-Za-z_0-9]*)$")


def parse_shape(text: str) -> ShapeSpec:
    """Parse ``"1x1x32x32"``, ``"2x128:long"``, ``"(1,3,32,32)"`` or ``"N x 1 x H x W"``."""
    raw = text
    dtype = "float32"
    if ":" in text:
        text, _, dt = text.rpartition(":")
        key = dt.strip().lower().removeprefix("torch.")
        if key not in DTYPE_ALIASES:
            raise TensorsightError(
                f"unknown dtype {dt!r} in input {raw!r}; use one of float, double, half, long, int, bool "
                f"(e.g. --input 2x128:long)")
        dtype = DTYPE_ALIASES[key]
    body = text.strip().strip("()[]").strip()
    if not body:
        raise TensorsightError(f"empty shape {raw!r}; write the sizes separated by 'x', e.g. --input 1x3x32x32")
    sep = r"\s*,\s*" if "," in body else r"\s*[x×*]\s*|\s+"
    parts = [p for p in re.split(sep, body) if p != ""]
    dims: list[int | str] = []
    for p in parts:
        if not _DIM.match(p):
            raise TensorsightError(
                f"cannot read shape {raw!r}: {p!r} is not a size; write sizes separated by 'x', "
                f"e.g. --input 1x3x32x32 (or 2x128:long for token ids)")
        dims.append(int(p) if p.isdigit() else p)
    if any(isinstance(d, int) and d < 0 for d in dims):
        raise TensorsightError(f"negative size in {raw!r}")
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
