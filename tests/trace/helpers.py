"""Shared checks: a real forward pass recorded by our own Recorder, and the model's full state."""
from __future__ import annotations

import copy
import io
import random
from dataclasses import dataclass, field

import torch
from torch.nn.modules import module as torch_module

from tensorsight.capture.guard import state_fingerprint
from tensorsight.capture.recorder import Recorder, _walk_tensors


def real_trace(model, args=(), kwargs=None):
    """Run ``model(*args, **kwargs)`` for real under the Recorder; (trace, output)."""
    roles = {}
    for name, t in model.named_parameters(remove_duplicate=False):
        roles[id(t)] = ("bias" if name.endswith("bias") else "weight", name)
    for name, t in model.named_buffers(remove_duplicate=False):
        roles[id(t)] = ("buffer", name)
    _walk_tensors((args, kwargs), lambda t: roles.__setitem__(id(t), ("input", "")))
    rec = Recorder(roles=roles, root=model)
    with rec:
        out = model(*args, **(kwargs or {}))
    return rec.trace, out


def shapes(value) -> list[tuple]:
    out: list[tuple] = []
    _walk_tensors(value, lambda t: out.append(tuple(t.shape)))
    return out


def _no_device(value):
    """A device argument names the device the trace ran on (nn.LSTM's ``torch.zeros(...,
    device=input.device)``, GPT-2's ``x.to(inputs_embeds.device)``): meta or cpu alike."""
    if isinstance(value, str) and value.split(":")[0] in ("cpu", "meta", "cuda"):
        return "<device>"
    if isinstance(value, (list, tuple)):
        return type(value)(_no_device(v) for v in value)
    if isinstance(value, dict):
        return {k: _no_device(v) for k, v in value.items()}
    return value


def event_signature(trace) -> list[tuple]:
    """What must agree between a traced and a real run, op by op."""
    return [(e.index, e.op, e.module, e.module_type, str(e.where),
             tuple((tuple(m.shape), m.dtype, m.role, m.producer) for m in e.inputs),
             tuple((tuple(m.shape), m.dtype) for m in e.outputs),
             repr(_no_device(e.args)), repr(_no_device(e.kwargs)), e.note)
            for e in trace.events]


def module_signature(trace) -> list[tuple]:
    return [(m.path, m.type, m.depth, m.start, m.end, [tuple(t.shape) for t in m.inputs],
             [tuple(t.shape) for t in m.outputs]) for m in trace.modules]


def assert_same_events(fake, real) -> None:
    a, b = event_signature(fake), event_signature(real)
    for x, y in zip(a, b):
        assert x == y, f"fake and real runs differ at op #{x[0]}:\n  fake {x}\n  real {y}"
    assert len(a) == len(b), f"fake run has {len(a)} ops, real run {len(b)}"
    assert module_signature(fake) == module_signature(real)


def _tensors(model):
    yield from (("p:" + n, t) for n, t in model.named_parameters(remove_duplicate=False))
    yield from (("b:" + n, t) for n, t in model.named_buffers(remove_duplicate=False))


def _global_hooks() -> tuple:
    return tuple(len(getattr(torch_module, name)) for name in (
        "_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
        "_global_module_registration_hooks", "_global_parameter_registration_hooks",
        "_global_buffer_registration_hooks"))


@dataclass
class Snapshot:
    """Everything about a model (and torch's global state) that tracing must leave as it was."""
    fingerprint: dict
    values: dict[str, torch.Tensor]
    meta: set[str]
    devices: dict[str, str]
    flags: dict[str, tuple]
    modes: dict[str, bool]
    hooks: dict[str, tuple]
    attrs: dict[str, tuple]
    cpu_rng: torch.Tensor
    py_rng: tuple
    grad_enabled: bool
    global_hooks: tuple
    default_dtype: torch.dtype
    np_rng: tuple | None = None
    values_of_attrs: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @classmethod
    def take(cls, model: torch.nn.Module) -> "Snapshot":
        tensors = list(_tensors(model))
        return cls(
            fingerprint=state_fingerprint(model),
            values={n: t.detach().clone() for n, t in tensors if t.device.type != "meta" and not _lazy(t)},
            meta={n for n, t in tensors if t.device.type == "meta"},
            devices={n: str(t.device) for n, t in tensors},
            flags={n: (type(t), t.requires_grad, t.grad is None, t.is_leaf) for n, t in tensors},
            modes={n: m.training for n, m in model.named_modules()},
            hooks={n: (len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks))
                   for n, m in model.named_modules()},
            attrs={n: tuple(sorted(vars(m))) for n, m in model.named_modules()},
            cpu_rng=torch.get_rng_state(),
            py_rng=random.getstate(),
            grad_enabled=torch.is_grad_enabled(),
            global_hooks=_global_hooks(),
            default_dtype=torch.get_default_dtype(),
            np_rng=_np_state(),
            values_of_attrs={n: _attr_values(m) for n, m in model.named_modules()},
            extra={"copyable": _copyable(model)},
        )

    def check(self, model: torch.nn.Module) -> None:
        assert state_fingerprint(model) == self.fingerprint
        tensors = dict(_tensors(model))
        assert set(tensors) == set(self.devices)
        for name, before in self.values.items():
            now = tensors[name]
            assert now.device == before.device and now.dtype == before.dtype
            assert torch.equal(now.detach(), before), f"{name} changed"
        assert {n for n, t in tensors.items() if t.device.type == "meta"} == self.meta
        assert {n: str(t.device) for n, t in tensors.items()} == self.devices
        assert {n: (type(t), t.requires_grad, t.grad is None, t.is_leaf) for n, t in tensors.items()} == self.flags
        assert {n: m.training for n, m in model.named_modules()} == self.modes
        assert {n: (len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks))
                for n, m in model.named_modules()} == self.hooks
        assert {n: tuple(sorted(vars(m))) for n, m in model.named_modules()} == self.attrs
        assert torch.equal(torch.get_rng_state(), self.cpu_rng), "the CPU RNG was consumed"
        assert random.getstate() == self.py_rng
        assert torch.is_grad_enabled() == self.grad_enabled
        assert _global_hooks() == self.global_hooks, "global module hooks left behind"
        assert torch.get_default_dtype() == self.default_dtype
        assert _same_np_state(_np_state(), self.np_rng), "numpy's global RNG was consumed"
        now = {n: _attr_values(m) for n, m in model.named_modules()}
        for n, before in self.values_of_attrs.items():
            assert now.get(n) == before, f"Python attributes of module {n!r} changed: {before} -> {now.get(n)}"
        for n, m in model.named_modules():  # no fake or meta tensor anywhere in a real model's attributes
            for k, v in vars(m).items():
                if isinstance(v, torch.Tensor) and k not in ("_parameters", "_buffers"):
                    assert type(v).__name__ != "FakeTensor", f"{n}.{k} holds a FakeTensor"
        # what could be deep-copied and saved before (weight_norm's computed weight and
        # parametrized modules refuse it) still can
        assert _copyable(model) == self.extra["copyable"], "deepcopy / torch.save no longer work"


def _lazy(t) -> bool:
    from torch.nn.parameter import UninitializedTensorMixin
    return isinstance(t, UninitializedTensorMixin)


def _copyable(model) -> tuple[bool, bool]:
    out = []
    for attempt in (lambda: copy.deepcopy(model), lambda: torch.save(model, io.BytesIO())):
        try:
            attempt()
            out.append(True)
        except Exception:  # noqa: BLE001
            out.append(False)
    return tuple(out)


def _np_state():
    import numpy as np
    return np.random.get_state()


def _same_np_state(a, b) -> bool:
    import numpy as np
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


def _attr_value(v, depth: int = 0):
    """A comparable picture of a plain Python attribute: scalars as they are, containers by
    their items, tensors by identity, version, shape and dtype (their bytes are checked apart)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, torch.Tensor):
        return ("tensor", id(v), v._version, tuple(v.shape), str(v.dtype), str(v.device))
    if depth < 2 and isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(_attr_value(x, depth + 1) for x in v))
    if depth < 2 and isinstance(v, dict):
        return ("dict", tuple((str(k), _attr_value(x, depth + 1)) for k, x in v.items()))
    return ("object", id(v), type(v).__name__)


_MODULE_DICTS = frozenset({"_parameters", "_buffers", "_modules"})


def _attr_values(module) -> dict:
    return {k: _attr_value(v) for k, v in vars(module).items() if k not in _MODULE_DICTS}
