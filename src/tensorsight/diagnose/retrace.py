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

from ..capture.events import OpEvent, Trace


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
        if name == "batch_norm" and any(isinstance(a, torch.Tensor) and a.dim() == 1 and a.shape[0] != args[0].shape[1]
                                        for a in args[1:5]):
            x = args[0]
            c = x.shape[1]
            for i in (1, 2, 3, 4):
                if i < len(args) and isinstance(args[i], torch.Tensor):
                    args[i] = _fake_like(args[i], (c,))
            out = func(*args, **kwargs)
            old = module.num_features if module is not None and hasattr(module, "num_features") else None
            repairs.append(Repair("bn_features", event, module, int(c), old))
            return out
        if name == "layer_norm" and tuple(args[0].shape[-len(args[1]):]) != tuple(args[1]):
            x, ns = args[0], args[1]
            n = len(ns) if isinstance(ns, (list, tuple, torch.Size)) else 1
            new = tuple(int(d) for d in x.shape[-n:])
            args[1] = new
            for i in (2, 3):
                if i < len(args) and isinstance(args[i], torch.Tensor):
                    args[i] = _fake_like(args[i], new)
            out = func(*args, **kwargs)
            repairs.append(Repair("ln_shape", event, module, new, tuple(ns) if n > 1 else ns))
            return out
        if name in ("view", "reshape") and "is invalid for input of size" in msg:
            x = args[0]
            out = x.reshape(x.shape[0], -1)
            repairs.append(Repair("view", event, None, tuple(int(d) for d in out.shape)))
            return out
    except Exception:  # noqa: BLE001 - the repair itself did not fit: stop here
        return None
    return None


def _conv_channels_differ(args, kwargs) -> bool:
    x, w = args[0], args[1]
    groups = args[6] if len(args) > 6 else kwargs.get("groups", 1)
    spatial = w.dim() - 2
    if x.dim() < spatial + 1:
        return False
    return x.shape[-spatial - 1] != w.shape[1] * groups


def _current_module(rec):
    return rec._stack[-1][0] if rec._stack else None


def retrace(module, input_metas, rewrites=None) -> Retrace:
    """Trace ``module`` on fake inputs shaped like ``input_metas``, repairing wrong layers."""
    from ..capture.fake import fake_repair, trace
    from ..shapes import ShapeSpec
    repairs: list[Repair] = []

    def repair(rec, event, func, args, kwargs, exc):
        out = fake_repair(rec, event, func, args, kwargs, exc)
        if out is None:
            out = repair_layer(rec, event, func, args, kwargs, exc, repairs)
        return out

    specs = tuple(ShapeSpec(tuple(int(d) for d in m.shape), m.dtype) for m in input_metas)
    result = Retrace(repairs=repairs)
    tr = trace(module, args=specs, repair=repair, raise_errors=False, rewrite=rewrites)
    result.trace = tr
    result.error = tr.error
    return result
