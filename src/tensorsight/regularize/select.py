"""Which parameters a penalty applies to: names, globs, module names and module objects.

A key of the ``regularize(model, {key: penalty})`` mapping is one of

* a parameter name, exactly as ``model.named_parameters()`` spells it: ``"mlp.0.weight"``
  (naming a bias this way is how you regularize a bias);
* a glob over parameter names (``fnmatch``: ``*`` also crosses dots): ``"features.*.weight"``.
  A glob selects biases only when the pattern itself says ``bias``;
* a module name (``"mlp"``, ``"features.0"``, ``""`` for the whole model) or a module object
  (``model.mlp``): all the *weights* under it, i.e. parameters whose own name starts with
  ``weight`` (``weight``, ``weight_ih_l0``...), and not the scales of normalization layers
  (BatchNorm, LayerNorm, GroupNorm...), which a penalty would only drive to zero;
* a parameter object (``model.mlp[0].weight``).

When two keys select the same parameter, the more specific one wins: a parameter name or object
over a module, a module over a glob. Two keys of the same kind on one parameter are an error.
A key that matches nothing is an error naming the nearest parameter and module names.
"""
from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass

import torch
from torch import nn

from ..errors import TensorsightError
from .penalties import Penalty

_NORM_TYPES = tuple(t for t in (
    getattr(nn.modules.batchnorm, "_NormBase", None), nn.LayerNorm, nn.GroupNorm,
    getattr(nn, "RMSNorm", None), nn.LocalResponseNorm) if t is not None)

_GLOB_CHARS = set("*?[")


@dataclass
class Target:
    """One regularized parameter: its name in the model, the tensor, and the penalty."""

    name: str
    param: torch.Tensor
    penalty: Penalty
    key: str = ""  # the key of the user's mapping that selected it


def _is_weight(leaf: str, owner: nn.Module) -> bool:
    return leaf.startswith("weight") and not isinstance(owner, _NORM_TYPES)


def _module_weights(model: nn.Module, prefix: str) -> list[str]:
    names = []
    root = model.get_submodule(prefix) if prefix else model
    for mname, module in root.named_modules():
        for leaf, _ in module.named_parameters(recurse=False):
            if _is_weight(leaf, module):
                full = ".".join(p for p in (prefix, mname, leaf) if p)
                names.append(full)
    return names


def _near(word: str, candidates: list[str]) -> str:
    near = difflib.get_close_matches(word, candidates, n=3, cutoff=0.5)
    if not near:
        near = candidates[:3]
    return ", ".join(repr(n) for n in near) if near else "(the model has no parameters)"


def _describe(key) -> str:
    if isinstance(key, nn.Module):
        return f"module {type(key).__name__}"
    if torch.is_tensor(key):
        return f"tensor of shape {tuple(key.shape)}"
    return repr(key)


def resolve(model: nn.Module, spec) -> list[Target]:
    """Turn the user's mapping into one Target per selected parameter (model order)."""
    if not isinstance(model, nn.Module):
        raise TensorsightError(
            f"regularize() needs an nn.Module as its first argument, got {type(model).__name__}.")
    if isinstance(spec, Penalty):
        spec = {model: spec}
    if not isinstance(spec, dict) or not spec:
        raise TensorsightError(
            "regularize(model, spec) needs spec as a dict like {'mlp.0.weight': L1(1e-3)} "
            f"(or a single penalty for all weights), got {type(spec).__name__}.")
    params = dict(model.named_parameters())
    by_id = {id(p): n for n, p in params.items()}
    module_names = {id(m): n for n, m in model.named_modules()}
    all_module_names = [n for n in module_names.values() if n]

    chosen: dict[str, tuple[int, object, Penalty]] = {}  # name -> (rank, key, penalty)
    for key, penalty in spec.items():
        if not isinstance(penalty, Penalty):
            raise TensorsightError(
                f"The penalty for {_describe(key)} must be L1, L2, ElasticNet or GroupLasso, "
                f"got {penalty!r}.")
        names, rank = _select(model, key, params, by_id, module_names, all_module_names)
        for name in names:
            if name in chosen:
                old_rank, old_key, _ = chosen[name]
                if old_rank == rank:
                    raise TensorsightError(
                        f"Parameter {name!r} is selected by both {_describe(old_key)} and "
                        f"{_describe(key)}; give it one penalty (ElasticNet combines L1 and L2).")
                if old_rank > rank:
                    continue
            chosen[name] = (rank, key, penalty)
    targets = []
    for name, p in params.items():
        if name in chosen:
            _, key, penalty = chosen[name]
            penalty.check(name, p)
            label = key if isinstance(key, str) else _describe(key)
            targets.append(Target(name, p, penalty, label))
    return targets


def _select(model, key, params, by_id, module_names, all_module_names):
    """(parameter names, specificity rank) for one key: 3 parameter, 2 module, 1 glob."""
    if isinstance(key, nn.Module):
        if id(key) not in module_names:
            raise TensorsightError(
                f"The {_describe(key)} given as a key is not part of the model; pass one of its "
                f"submodules (e.g. model.{all_module_names[0] if all_module_names else 'layer'}).")
        names = _module_weights(model, module_names[id(key)])
        if not names:
            raise TensorsightError(
                f"The {_describe(key)} has no weights to regularize; name a parameter instead, "
                f"e.g. {_near(module_names[id(key)], list(params))}.")
        return names, 2
    if torch.is_tensor(key):
        if id(key) not in by_id:
            raise TensorsightError(
                f"The {_describe(key)} given as a key is not a parameter of the model.")
        return [by_id[id(key)]], 3
    if not isinstance(key, str):
        raise TensorsightError(
            f"A key of the regularize() mapping must be a parameter name, a glob, a module name "
            f"or a module/parameter object, got {type(key).__name__}.")
    if key in params:
        return [key], 3
    if _GLOB_CHARS & set(key):
        names = [n for n in params if fnmatch.fnmatchcase(n, key)]
        if "bias" not in key:
            names = [n for n in names if not n.rsplit(".", 1)[-1].startswith("bias")]
        if not names:
            raise TensorsightError(
                f"The glob {key!r} matches no parameter of the model (biases only when the "
                f"pattern says 'bias'); nearest names: {_near(key, list(params))}.")
        return names, 1
    if key == "" or key in all_module_names:
        names = _module_weights(model, key)
        if not names:
            raise TensorsightError(
                f"Module {key!r} has no weights to regularize; name a parameter instead, e.g. "
                f"{_near(key, list(params))}.")
        return names, 2
    raise TensorsightError(
        f"No parameter or module named {key!r} in the model; did you mean "
        f"{_near(key, list(params) + all_module_names)}?")
