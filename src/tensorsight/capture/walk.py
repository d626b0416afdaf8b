"""The tensors inside a value: nested lists, tuples, dicts and dataclasses, a few levels deep."""
from __future__ import annotations

import torch


def _walk_tensors(value, fn, depth: int = 0) -> None:
    if isinstance(value, torch.Tensor):
        fn(value)
    elif depth < 4 and isinstance(value, (list, tuple)):
        for v in value:
            _walk_tensors(v, fn, depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for v in value.values():
            _walk_tensors(v, fn, depth + 1)
    elif depth < 4 and hasattr(value, "__dataclass_fields__"):
        for k in value.__dataclass_fields__:
            _walk_tensors(getattr(value, k, None), fn, depth + 1)
