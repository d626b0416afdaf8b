"""A structural copy of the user's module tree for every forward tensorsight runs.

Whatever path traces (a real copy, meta twins, fake twins), ``forward`` runs on a copy whose
modules, Python attributes, hook objects and caches belong to the copy and whose tensors are
twins made by the path (real clones, meta or fake tensors). Counters and lists that ``forward``
grows, caches it fills, ``weight_norm``'s recomputed weight, an RNN's ``_flat_weights``, in-place
updates of a plain tensor attribute: all of it lands on the copy. A tensor the model holds twice
(tied embedding and head, a module registered under two names) has one twin, so it stays tied
and no ``functional_call`` has to be taught about tied keys.
"""
from __future__ import annotations

import copy
import types
from dataclasses import dataclass
from typing import Callable

import torch


@dataclass
class Copy:
    """The copy, and for each tensor and module of it the user's original."""
    root: torch.nn.Module
    originals: dict[int, torch.nn.Module]   # id(copied module) -> the user's module
    twins: dict[int, torch.Tensor]           # id(user's tensor) -> its twin


def _attr_tensors(value, out: list, depth: int = 0) -> None:
    """Plain tensors a module keeps outside its parameters and buffers (a cache, a mask)."""
    if isinstance(value, torch.Tensor):
        out.append(value)
    elif depth < 2 and isinstance(value, (list, tuple)):
        for v in value:
            _attr_tensors(v, out, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for v in value.values():
            _attr_tensors(v, out, depth + 1)


def model_tensors(model: torch.nn.Module) -> list[torch.Tensor]:
    """Every tensor the module tree holds: parameters, buffers and plain tensor attributes,
    each once (tied ones included once)."""
    seen: dict[int, torch.Tensor] = {}
    for m in model.modules():
        found: list[torch.Tensor] = []
        for store in (m._parameters, m._buffers):
            found.extend(t for t in store.values() if t is not None)
        for k, v in vars(m).items():
            if k not in ("_parameters", "_buffers", "_modules"):
                _attr_tensors(v, found)
        for t in found:
            seen.setdefault(id(t), t)
    return list(seen.values())


def isolated_copy(model: torch.nn.Module, twin: Callable[[torch.Tensor], torch.Tensor]) -> Copy:
    """Copy ``model``'s tree; every tensor it holds becomes ``twin(tensor)`` (once per tensor)."""
    twins: dict[int, torch.Tensor] = {}
    for t in model_tensors(model):
        twins[id(t)] = twin(t)
    memo: dict = dict(twins)
    try:
        root = copy.deepcopy(model, memo)
    except Exception:  # noqa: BLE001 - an attribute that cannot be deep-copied: copy the structure
        memo = dict(twins)
        root = _structural_copy(model, memo)
    originals = {id(memo[id(m)]): m for m in model.modules() if id(m) in memo}
    return Copy(root, originals, twins)


def _structural_copy(module: torch.nn.Module, memo: dict) -> torch.nn.Module:
    """Modules copied one by one with their own dicts, lists and hook tables; other attribute
    values shared (the fallback for attributes that refuse deepcopy)."""
    hit = memo.get(id(module))
    if hit is not None:
        return hit
    new = type(module).__new__(type(module))  # not copy.copy: parametrized modules refuse pickling
    memo[id(module)] = new
    state = {}
    for k, v in vars(module).items():
        if k == "_modules":
            state[k] = {n: (_structural_copy(c, memo) if c is not None else None) for n, c in v.items()}
        elif isinstance(v, torch.Tensor):
            state[k] = memo.get(id(v), v)
        elif isinstance(v, dict):
            state[k] = type(v)((n, _mapped(x, memo)) for n, x in v.items()) if _plain_dict(v) else v
        elif isinstance(v, (list, set)):
            state[k] = type(v)(_mapped(x, memo) for x in v)
        else:
            state[k] = v
    new.__dict__.update(state)
    return new


def _mapped(x, memo: dict):
    """A tensor's twin; a hook bound to a copied module rebound to the copy."""
    if isinstance(x, torch.Tensor):
        return memo.get(id(x), x)
    if isinstance(x, types.MethodType) and id(x.__self__) in memo:
        return types.MethodType(x.__func__, memo[id(x.__self__)])
    return x


def _plain_dict(v: dict) -> bool:
    try:
        type(v)()
        return True
    except Exception:  # noqa: BLE001
        return False
