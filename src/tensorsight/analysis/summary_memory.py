"""Bytes each op of a Trace allocates, from its shapes: views and in-place ops take no new
storage, a reshape copies only what a transpose left non-contiguous."""
from __future__ import annotations

from ..capture.events import Trace
from .summary_flops import short_name

# views: the output shares the input's storage
_VIEWS = frozenset({
    "view", "view_as", "unsqueeze", "squeeze", "narrow", "select", "split", "chunk", "unbind",
    "tensor_split", "split_with_sizes", "unflatten", "detach", "alias", "real", "imag",
    "view_as_real", "view_as_complex", "as_strided", "__getitem__", "diagonal", "unfold",
    "transpose", "permute", "t", "mT", "mH", "T", "H", "expand", "expand_as", "movedim",
    "moveaxis", "swapaxes", "swapdims", "broadcast_to", "broadcast_tensors", "data",
})
# views that leave the output non-contiguous (a later reshape or contiguous() copies it)
_STRIDED = frozenset({"transpose", "permute", "t", "mT", "mH", "T", "H", "expand", "expand_as",
                      "movedim", "moveaxis", "swapaxes", "swapdims", "broadcast_to", "diagonal",
                      "unfold", "as_strided"})
# no copy when nothing changes: same dtype and device, or a contiguous input
_MAYBE_COPY = frozenset({"reshape", "reshape_as", "flatten", "contiguous", "to", "type", "type_as",
                         "float", "double", "half", "bfloat16", "long", "int", "bool", "cpu", "cuda"})
_ITEMSIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4,
             "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex64": 8, "complex128": 16,
             "float8_e4m3fn": 1, "float8_e5m2": 1, "uint16": 2, "uint32": 4, "uint64": 8}


def meta_bytes(metas) -> int | None:
    """Bytes of these tensors (None when a size is symbolic or a dtype unknown)."""
    total = 0
    for m in metas:
        n, size = m.numel, _ITEMSIZE.get(m.dtype)
        if n is None or size is None:
            return None
        total += n * size
    return total


def trace_alloc(trace: Trace) -> list[int]:
    """Bytes each op's outputs take in new storage: views and in-place ops take none, and a
    reshape, flatten, contiguous() or dtype/device conversion only when it has to copy."""
    out: list[int] = []
    strided: set[int] = set()  # events whose outputs are non-contiguous views
    for e in trace.events:
        name = short_name(e.op)
        first = e.inputs[0] if e.inputs else None
        from_strided = first is not None and first.producer in strided
        if e.error or e.note == "data-dependent" and not all(m.known for m in e.outputs):
            out.append(0)
            continue
        if name in _VIEWS:
            if name in _STRIDED or from_strided:
                strided.add(e.index)
            out.append(0)
            continue
        if (name.endswith("_") and not name.endswith("__")) or name.startswith("__i") or name == "__setitem__":
            out.append(0)  # in place
            continue
        if name in _MAYBE_COPY and first is not None and e.outputs:
            o = e.outputs[0]
            same = o.dtype == first.dtype and o.device == first.device
            if same and not (from_strided and name in ("reshape", "reshape_as", "flatten", "contiguous")):
                out.append(0)
                continue
        out.append(meta_bytes(e.outputs) or 0)
    return out
