"""Re-run a model call on fake tensors as if each wrong layer were already fixed.

A crash stops at the first wrong layer; users want every wrong layer in one pass. Here a layer
whose size does not fit is *repaired* on the fly (a fake weight of the size that fits), the
repair is recorded, and the trace goes on, so the next wrong layer shows up too. ``rewrites``
replace ops we already know are wrong (a view that mixes samples) by their fixed form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import torch

from ...capture.events import OpEvent, Trace


@dataclass
class Repair:
    kind: str                 # 'linear_in', 'conv_in', 'bn_features', 'ln_shape', 'view'
    event: OpEvent
    module: object            # the nn.Module (None for functional ops)
    value: object             # the size that fits
    old: object = None


@dataclass
class Retrace:
    trace: Trace | None = None
    repairs: list[Repair] = field(default_factory=list)
    error: str = ""


_CHANNELS = re.compile(r"expected input\[.*\] to have (\d+) channels, but got (\d+) channels")
_RUNNING = re.compile(r"running_mean should contain (\d+) elements not (\d+)")


def _fake_like(t: torch.Tensor, shape) -> torch.Tensor:
    return torch.zeros(tuple(shape), dtype=t.dtype, device=t.device, requires_grad=t.requires_grad)


def repair_layer(rec, event, func, args, kwargs, exc, repairs: list[Repair]):
    """Called by the recorder when an op raises on fake tensors: fix the layer's size and go on."""
    name = event.name
    msg = str(exc)
    module = _current_module(rec)
    args = list(args)
    kwargs = dict(kwargs)
    try:
        if name == "linear" and args[0].shape[-1] != args[1].shape[-1]:
            x, w = args[0], args[1]
            k = x.shape[-1]
            args[1] = _fake_like(w, (w.shape[0], k))
            out = func(*args, **kwargs)
            repairs.append(Repair("linear_in", event, module, int(k), int(w.shape[1])))
            return out
        if name.startswith("conv") and _conv_channels_differ(args, kwargs):
            x, w = args[0], args[1]
            groups = args[6] if len(args) > 6 else kwargs.get("groups", 1)
            spatial = w.dim() - 2
            got = x.shape[-spatial - 1]
            if name.startswith("conv_transpose"):
                args[1] = _fake_like(w, (got, *w.shape[1:]))
            else:
                args[1] = _fake_like(w, (w.shape[0], got // groups, *w.shape[2:]))
            out = func(*args, **kwargs)
            repairs.append(Repair("conv_in", event, module, int(got), int(w.shape[1] * groups)))
            return out
        if name == "batch_norm":
            x = args[0]
            c = x.shape[1]
            slots = [(1, "running_mean"), (2, "running_var"), (3, "weight"), (4, "bias")]
            if not any(isinstance(_get(args, kwargs, i, k), torch.Tensor) and _get(args, kwargs, i, k).shape[0] != c
                       for i, k in slots):
                return None
            for i, k in slots:
                t = _get(args, kwargs, i, k)
                if isinstance(t, torch.Tensor):
                    _set(args, kwargs, i, k, _fake_like(t, (c,)))
            out = func(*args, **kwargs)
            old = module.num_features if module is not None and hasattr(module, "num_features") else None
            repairs.append(Repair("bn_features", event, module, int(c), old))
            return out
        if name == "layer_norm":
            x, ns = args[0], _get(args, kwargs, 1, "normalized_shape")
            ns = tuple(ns) if isinstance(ns, (list, tuple, torch.Size)) else (ns,)
            n = len(ns)
            new = tuple(int(d) for d in x.shape[-n:])
            if new == tuple(ns):
                return None
            _set(args, kwargs, 1, "normalized_shape", new)
            for i, k in ((2, "weight"), (3, "bias")):
                t = _get(args, kwargs, i, k)
                if isinstance(t, torch.Tensor):
                    _set(args, kwargs, i, k, _fake_like(t, new))
            out = func(*args, **kwargs)
            repairs.append(Repair("ln_shape", event, module, new, ns[0] if n == 1 else ns))
            return out
        if name in ("view", "reshape") and "is invalid for input of size" in msg:
            x = args[0]
            out = x.reshape(x.shape[0], -1)
            repairs.append(Repair("view", event, None, tuple(int(d) for d in out.shape)))
            return out
    except Exception:  # noqa: BLE001 - the repair itself did not fit: stop here
        import os
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        return None
    return None


def _get(args, kwargs, i, name):
    if name in kwargs:
        return kwargs[name]
    return args[i] if i < len(args) else None


def _set(args, kwargs, i, name, value):
    if name in kwargs or i >= len(args):
        kwargs[name] = value
    else:
        args[i] = value


def _conv_channels_differ(args, kwargs) -> bool:
    x, w = args[0], args[1]
    groups = args[6] if len(args) > 6 else kwargs.get("groups", 1)
    spatial = w.dim() - 2
    if x.dim() < spatial + 1:
        return False
    return x.shape[-spatial - 1] != w.shape[1] * groups


def _current_module(rec):
    return rec._stack[-1][0] if rec._stack else None


def spec_of(meta, batch: tuple[int, int] | None = None):
    """A ShapeSpec like ``meta`` (its first axis ``batch[1]`` when it is ``batch[0]``)."""
    from ...shapes import ShapeSpec
    shape = tuple(int(d) for d in meta.shape)
    if batch is not None and shape[:1] == (batch[0],):
        shape = (batch[1], *shape[1:])
    return ShapeSpec(shape, meta.dtype)


def kwarg_specs(kwargs: dict, batch: tuple[int, int] | None = None) -> dict:
    """A recorded call's keyword arguments as a replay passes them: tensors as ShapeSpecs."""
    from ...capture.events import TensorMeta
    out = {}
    for k, v in (kwargs or {}).items():
        if isinstance(v, TensorMeta):
            out[k] = spec_of(v, batch)
        elif isinstance(v, list) and all(isinstance(t, TensorMeta) for t in v):
            out[k] = [spec_of(t, batch) for t in v]
        else:
            out[k] = v
    return out


def retrace(module, input_metas, rewrites=None, kwargs: dict | None = None) -> Retrace:
    """Trace ``module`` on fake inputs shaped like ``input_metas`` (and the recorded keyword
    arguments ``kwargs``), repairing wrong layers."""
    from ...capture.fake import fake_repair, meta_trace, trace
    repairs: list[Repair] = []

    def repair(rec, event, func, args, kwargs, exc):
        out = fake_repair(rec, event, func, args, kwargs, exc)
        if out is None:
            out = repair_layer(rec, event, func, args, kwargs, exc, repairs)
        return out

    specs = tuple(spec_of(m) for m in input_metas)
    kw = kwarg_specs(kwargs or {})
    result = Retrace(repairs=repairs)
    # a small model for real on a copy, else meta tensors (the first meta/fake op of a process
    # costs seconds), and fake tensors only for what those cannot run
    from ...capture.real import real_trace, small_enough
    layer_repair = lambda *a: repair_layer(*a, repairs)  # noqa: E731
    tr = None
    if small_enough(module, specs, kw):
        tr = real_trace(module, specs, kw, repair=layer_repair, rewrite=rewrites, raise_errors=False)
    if tr is None:
        repairs.clear()
        tr = meta_trace(module, specs, kw, repair=layer_repair, rewrite=rewrites, raise_errors=False)
    if tr is None:
        repairs.clear()
        tr = trace(module, args=specs, kwargs=kw, repair=repair, raise_errors=False, rewrite=rewrites)
    result.trace = tr
    result.error = tr.error
    return result
