"""Trace a model on fake tensors: no compute, no weight memory, the model left untouched.

Parameters and buffers are swapped for fake copies through ``torch.func.functional_call`` (the
module's own attributes are restored on exit), so BatchNorm's running statistics update fake
tensors, a model built under ``torch.device("meta")`` traces like any other, and the RNG state
is put back afterwards.
"""
from __future__ import annotations

import contextlib
import copy
import logging
import re
from typing import Any, Callable

import torch
from torch._subclasses.fake_tensor import FakeTensorMode, unset_fake_temporarily

from ..errors import ForwardError, TensorsightError
from ..shapes import ShapeSpec
from .events import Trace
from .guard import untouched
from .inputs import materialize, normalize_example, spec_tensor
from .recorder import Recorder

# errors fake tensors raise for ops they cannot run: we run those for real on zeros
_UNSUPPORTED = ("UnsupportedOperatorException", "DynamicOutputShapeException",
                "DataDependentOutputException", "UnsupportedFakeTensorException")


def new_fake_mode(shape_env=None) -> FakeTensorMode:
    if shape_env is None:
        from torch.fx.experimental.symbolic_shapes import ShapeEnv
        shape_env = ShapeEnv()  # lets data-dependent sizes (nonzero, item) become unbacked symbols
    return FakeTensorMode(allow_non_fake_inputs=True, shape_env=shape_env)


def to_fake(mode: FakeTensorMode, t: torch.Tensor, device: torch.device | None = None) -> torch.Tensor:
    """A fake twin of ``t``; meta tensors become fake tensors on ``device`` (default cpu)."""
    if t.device.type == "meta":
        fake = mode.fake_tensor_converter.from_meta_and_device(mode, t, device or torch.device("cpu"))
        if t.requires_grad and not fake.requires_grad and fake.is_floating_point():
            fake.requires_grad_(True)
        return fake
    return mode.from_tensor(t, static_shapes=True)


def _model_device(model: torch.nn.Module) -> torch.device:
    for t in list(model.parameters()) + list(model.buffers()):
        if t.device.type != "meta":
            return t.device
    return torch.device("cpu")


def _has_lazy(model: torch.nn.Module) -> bool:
    from torch.nn.parameter import UninitializedTensorMixin
    return any(isinstance(t, UninitializedTensorMixin) for t in list(model.parameters()) + list(model.buffers()))


def materialize_lazy(model: torch.nn.Module, args: tuple, kwargs: dict,
                     mode: FakeTensorMode | None = None) -> torch.nn.Module:
    """A copy of ``model`` whose lazy layers are materialised (on the meta device) by a dry run
    on fake tensors; the model itself stays lazy. Models without lazy layers come back as is."""
    from torch.nn.modules.lazy import LazyModuleMixin
    from torch.nn.parameter import UninitializedTensorMixin
    if not _has_lazy(model):
        return model
    device = _model_device(model)
    meta = torch.device("meta")  # lazy tensors materialise there: no memory, no real init
    memo = {id(t): type(t)(t.requires_grad, meta, t.dtype) for t in
            list(model.parameters()) + list(model.buffers()) if isinstance(t, UninitializedTensorMixin)}
    model = copy.deepcopy(model, memo)
    mode = mode or new_fake_mode()
    swapped: list = []

    def infer(module, args, kwargs):  # before the lazy hook: materialise off fake mode, then
        with unset_fake_temporarily():  # give forward fake twins of the new meta tensors
            module.initialize_parameters(*args, **kwargs)
        for store in (module._parameters, module._buffers):
            for name, t in list(store.items()):
                if t is not None and t.device.type == "meta" and not isinstance(t, UninitializedTensorMixin):
                    swapped.append((store, name, t))
                    fake = to_fake(mode, t, device)
                    store[name] = torch.nn.Parameter(fake, t.requires_grad) if isinstance(
                        t, torch.nn.Parameter) else fake

    handles = [m.register_forward_pre_hook(infer, prepend=True, with_kwargs=True) for m in model.modules()
               if isinstance(m, LazyModuleMixin) and m.has_uninitialized_params()]
    params = {n: to_fake(mode, t, device) for n, t in list(model.named_parameters(remove_duplicate=False))
              + list(model.named_buffers(remove_duplicate=False)) if not isinstance(t, UninitializedTensorMixin)}

    def make(spec: ShapeSpec):
        with unset_fake_temporarily():
            real = spec_tensor(spec, device="meta")
        return to_fake(mode, real, device)

    convert = lambda t: to_fake(mode, t, device if t.device.type == "meta" else None)  # noqa: E731
    try:
        with untouched(model), mode, torch.no_grad():
            torch.func.functional_call(model, params, materialize(args, make, convert),
                                       materialize(kwargs, make, convert), strict=False)
    finally:
        for h in handles:
            h.remove()
        for store, name, t in swapped:  # the materialised meta tensors, not the fake ones
            store[name] = t
    return model


def fake_repair(recorder, event, func, args, kwargs, exc):
    """Ops fake tensors cannot run: run them for real on zeros of the same shapes."""
    if type(exc).__name__ not in _UNSUPPORTED and not isinstance(exc, NotImplementedError):
        return None
    mode = recorder.fake_mode
    if any(not isinstance(d, int) for t in event.inputs for d in t.shape):
        event.note = "data-dependent"
        return None

    def real(x):
        if isinstance(x, torch.Tensor):
            return torch.zeros(tuple(int(d) for d in x.shape), dtype=x.dtype)
        return x
    with unset_fake_temporarily():
        rargs = torch.utils._pytree.tree_map(real, (args, kwargs))
        out = func(*rargs[0], **rargs[1])
    event.note = "real"
    return torch.utils._pytree.tree_map(
        lambda x: mode.from_tensor(x) if isinstance(x, torch.Tensor) else x, out)


def trace(model: torch.nn.Module | Callable, example: Any = None, *, args: tuple | None = None,
          kwargs: dict | None = None, fake_mode: FakeTensorMode | None = None,
          make_input: Callable[[FakeTensorMode, ShapeSpec], torch.Tensor] | None = None,
          repair: Callable | None = None, rewrite: Callable | None = None,
          raise_errors: bool = True) -> Trace:
    """Record every tensor op of ``model(example)`` on fake tensors.

    ``example`` is a tensor, a shape like ``(1, 1, 32, 32)``, a shape string ``"2x128:long"``,
    a dict, or a tuple of those (several positional arguments). ``kwargs`` go to forward.
    """
    call_args = normalize_example(example) if args is None else tuple(args)
    call_kwargs = dict(kwargs or {})
    if fake_mode is None and make_input is None and repair is None and rewrite is None:
        from .real import real_trace, small_enough
        fast = real_trace(model, call_args, call_kwargs) if small_enough(model, call_args, call_kwargs) else None
        if fast is None:
            fast = meta_trace(model, call_args, call_kwargs)
        if fast is not None:
            return fast
    mode = fake_mode or new_fake_mode()
    is_module = isinstance(model, torch.nn.Module)
    if is_module and _has_lazy(model):
        model = materialize_lazy(model, call_args, call_kwargs, mode)
    device = _model_device(model) if is_module else torch.device("cpu")

    roles: dict[int, tuple[str, str]] = {}
    params: dict[str, torch.Tensor] = {}
    if is_module:
        for kind, items in (("param", model.named_parameters(remove_duplicate=False)),
                            ("buffer", model.named_buffers(remove_duplicate=False))):
            for name, t in items:
                fake = to_fake(mode, t, device)
                params[name] = fake
                role = kind if kind == "buffer" else ("bias" if name.endswith("bias") else "weight")
                roles[id(fake)] = (role, name)

    def make(spec: ShapeSpec):
        if make_input is not None:
            return make_input(mode, spec)
        with unset_fake_temporarily():
            real = spec_tensor(spec, device="meta")
        return to_fake(mode, real, device)

    def convert(t: torch.Tensor):
        return to_fake(mode, t, device if t.device.type == "meta" else None)

    fargs = materialize(call_args, make, convert)
    fkwargs = materialize(call_kwargs, make, convert)

    rec = Recorder(roles=roles, root=model if is_module else None, repair=repair or fake_repair,
                   rewrite=rewrite)
    rec.fake_mode = mode
    rec.trace._modules = rec.module_objects  # path -> module, for diagnoses (not serialised)
    rec.trace.model = type(model).__name__ if is_module else getattr(model, "__name__", "function")
    rec.trace.mode = "fake"
    for t in _leaves((fargs, fkwargs)):
        roles[id(t)] = ("input", "")
    with untouched(model if is_module else None), _quiet_fake_logs(), mode:
        rec.trace.inputs = [rec.meta(t) for t in _leaves((fargs, fkwargs))]
        try:
            with rec:
                if is_module:
                    out = torch.func.functional_call(model, params, fargs, fkwargs, strict=False)
                else:
                    out = model(*fargs, **fkwargs)
        except TensorsightError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's forward raised: report, don't crash
            mark_data_dependent(rec.trace)
            rec.trace.error = str(exc).split("\n\n")[0]
            rec.trace.error_type = type(exc).__name__
            if raise_errors:
                raise ForwardError(rec.trace.error, rec.trace, exc) from exc
            return rec.trace
        rec.trace.outputs = [rec.meta(t) for t in _leaves(out)]
    mark_data_dependent(rec.trace)
    return rec.trace


_META_LIMITS = ("meta", "NotImplementedError", "same device", "device type", "data-dependent",
                "Cannot copy out of meta", "DynamicOutputShape")


def meta_trace(model, call_args: tuple, call_kwargs: dict, *, repair: Callable | None = None,
               rewrite: Callable | None = None, raise_errors: bool = True) -> Trace | None:
    """The fast path: run on meta tensors (no FakeTensorMode dispatch in Python).

    Parameters are passed as meta twins (the model's own when already on meta), buffers always
    as meta copies so in-place updates (BatchNorm statistics) touch nothing of the user's;
    factories inside forward land on meta through the device context. Anything meta tensors
    cannot do (data-dependent sizes, a CPU tensor kept as a plain attribute, lazy layers, a
    genuine error in the model) returns None, and the caller traces on fake tensors instead,
    which handles all of those and reports errors the same way.
    """
    is_module = isinstance(model, torch.nn.Module)
    if not is_module or _has_lazy(model):
        return None
    device = _model_device(model)
    roles: dict[int, tuple[str, str]] = {}
    params: dict[str, torch.Tensor] = {}
    for kind, items in (("param", model.named_parameters(remove_duplicate=False)),
                        ("buffer", model.named_buffers(remove_duplicate=False))):
        for name, t in items:
            if kind == "param" and t.device.type == "meta":
                twin = t
            else:
                twin = torch.empty_like(t, device="meta").requires_grad_(t.requires_grad)
            params[name] = twin
            roles[id(twin)] = ("buffer" if kind == "buffer" else ("bias" if name.endswith("bias") else "weight"), name)

    def make(spec: ShapeSpec):
        return spec_tensor(spec, device="meta")

    def convert(t: torch.Tensor):
        return t.detach().to("meta").requires_grad_(t.requires_grad) if t.device.type != "meta" else t

    try:
        margs = materialize(call_args, make, convert)
        mkwargs = materialize(call_kwargs, make, convert)
    except TensorsightError:
        raise
    except Exception:  # noqa: BLE001
        return None
    rec = Recorder(roles=roles, root=model, device_alias=str(device), full_stacks=False,
                   repair=repair, rewrite=rewrite)
    rec.trace._modules = rec.module_objects
    rec.trace.model = type(model).__name__
    rec.trace.mode = "meta"
    for t in _leaves((margs, mkwargs)):
        roles[id(t)] = ("input", "")
    with untouched(model):
        rec.trace.inputs = [rec.meta(t) for t in _leaves((margs, mkwargs))]
        try:
            with rec:
                out = torch.func.functional_call(model, params, margs, mkwargs, strict=False)
        except Exception as exc:  # noqa: BLE001 - let the fake path trace (and report) it
            text = f"{type(exc).__name__}: {exc}"
            if raise_errors or any(k in text for k in _META_LIMITS):
                return None
            rec.trace.error = str(exc).split("\n\n")[0]
            rec.trace.error_type = type(exc).__name__
            return rec.trace
        rec.trace.outputs = [rec.meta(t) for t in _leaves(out)]
    return rec.trace


_SYMBOL = re.compile(r"\b[a-z]+\d+\b")


def _symbols(values) -> set[str]:
    return {s for v in values if isinstance(v, str) for s in _SYMBOL.findall(v)}


def mark_data_dependent(trace: Trace) -> None:
    """A size symbol (torch's u0, u1...) that is not one of the trace's input sizes comes from
    data: note 'data-dependent' on each op whose output has one its inputs do not have
    (nonzero, a boolean mask, torch.unique, a size taken from ``.item()``)."""
    given = _symbols(d for m in trace.inputs for d in m.shape)
    for e in trace.events:
        if e.note:
            continue
        made = _symbols(d for m in e.outputs for d in m.shape) - given
        if made and made - _symbols(d for m in e.inputs for d in m.shape):
            e.note = "data-dependent"


@contextlib.contextmanager
def _quiet_fake_logs():
    """Fake tensors log every failing meta kernel at ERROR level; a failing op is our business."""
    log = logging.getLogger("torch._subclasses.fake_tensor")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _leaves(value) -> list[torch.Tensor]:
    out: list[torch.Tensor] = []
    from .recorder import _walk_tensors
    _walk_tensors(value, out.append)
    return out
