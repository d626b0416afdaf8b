"""Trace a model on meta or fake tensors: no compute, no weight memory, the model untouched.

Both paths run forward on an isolated copy of the module tree (capture.isolate) whose tensors
are meta or fake twins, so BatchNorm's running statistics, caches and counters update the copy,
tied weights stay tied, a model built under ``torch.device("meta")`` traces like any other, and
the RNG states are put back afterwards.
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
from .session import record

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


def _fake_twin(mode: FakeTensorMode, device: torch.device):
    from torch.nn.parameter import UninitializedTensorMixin

    def twin(t: torch.Tensor) -> torch.Tensor:
        if isinstance(t, UninitializedTensorMixin):  # sized by the lazy hook, on meta, then made fake
            return type(t)(t.requires_grad, torch.device("meta"), t.dtype)
        fake = to_fake(mode, t, device if t.device.type == "meta" else None)
        return torch.nn.Parameter(fake, t.requires_grad) if isinstance(t, torch.nn.Parameter) else fake
    return twin


def _lazy_to_fake(mode: FakeTensorMode, device: torch.device, root: torch.nn.Module) -> None:
    """Lazy layers of the copy materialise on meta (no memory, no real init), then get fake
    twins so forward runs on fake tensors."""
    from torch.nn.modules.lazy import LazyModuleMixin
    from torch.nn.parameter import UninitializedTensorMixin

    def infer(module, args, kwargs):
        with unset_fake_temporarily():
            module.initialize_parameters(*args, **kwargs)
        for store in (module._parameters, module._buffers):
            for name, t in list(store.items()):
                if t is not None and t.device.type == "meta" and not isinstance(t, UninitializedTensorMixin):
                    fake = to_fake(mode, t, device)
                    store[name] = torch.nn.Parameter(fake, t.requires_grad) if isinstance(
                        t, torch.nn.Parameter) else fake
    for m in root.modules():
        if isinstance(m, LazyModuleMixin) and m.has_uninitialized_params():
            m.register_forward_pre_hook(infer, prepend=True, with_kwargs=True)


def _jit(model) -> bool:
    return isinstance(model, torch.jit.ScriptModule)


def trace(model: torch.nn.Module | Callable, example: Any = None, *, args: tuple | None = None,
          kwargs: dict | None = None, fake_mode: FakeTensorMode | None = None,
          make_input: Callable[[FakeTensorMode, ShapeSpec], torch.Tensor] | None = None,
          repair: Callable | None = None, rewrite: Callable | None = None,
          raise_errors: bool = True) -> Trace:
    """Record every tensor op of ``model(example)``: for real on an isolated copy when the model
    is small, else on meta twins, else on fake twins (what meta tensors cannot do). Each path
    runs the forward once; a forward that raises is reported by the path that ran it.

    ``example`` is a tensor, a shape like ``(1, 1, 32, 32)``, a shape string ``"2x128:long"``,
    a dict, or a tuple of those (several positional arguments). ``kwargs`` go to forward.
    """
    from .inputs import normalize_kwargs
    call_args = normalize_example(example) if args is None else tuple(args)
    call_kwargs = normalize_kwargs(kwargs)
    if fake_mode is None and make_input is None and repair is None and rewrite is None:
        from .real import real_trace, small_enough
        fast = real_trace(model, call_args, call_kwargs) if small_enough(model, call_args, call_kwargs) else None
        if fast is None:
            fast = meta_trace(model, call_args, call_kwargs)
        if fast is not None:
            return fast
    return fake_trace(model, call_args, call_kwargs, fake_mode=fake_mode, make_input=make_input,
                      repair=repair, rewrite=rewrite, raise_errors=raise_errors)


def fake_trace(model, call_args: tuple, call_kwargs: dict, *, fake_mode: FakeTensorMode | None = None,
               make_input: Callable | None = None, repair: Callable | None = None,
               rewrite: Callable | None = None, raise_errors: bool = True) -> Trace:
    """The fake path: an isolated copy with fake twins, under a FakeTensorMode with a ShapeEnv."""
    from .kernels import META_RULES
    from .values import ValueOracle
    mode = fake_mode or new_fake_mode()
    is_module = isinstance(model, torch.nn.Module)
    device = _model_device(model) if is_module else torch.device("cpu")
    oracle = ValueOracle()

    def make(spec: ShapeSpec):
        if make_input is not None:
            return make_input(mode, spec)
        with unset_fake_temporarily():
            real = spec_tensor(spec, device="meta")
        return to_fake(mode, real, device)

    def convert(t: torch.Tensor):
        fake = to_fake(mode, t, device if t.device.type == "meta" else None)
        oracle.know(fake, t)
        return fake

    def setup(rec, cp):
        rec.fake_mode = mode
        rec.oracle = oracle
        rec.shape_env = mode.shape_env
        rec.meta_rules = META_RULES
        for original, twin in _pairs(model, cp):
            oracle.know(twin, original)
        if _has_lazy(cp.root):
            _lazy_to_fake(mode, device, cp.root)

    @contextlib.contextmanager
    def context():
        with _quiet_fake_logs(), mode:
            yield

    target = model if is_module else _FunctionModule(model)
    tr = record(target, _fake_twin(mode, device), call_args, call_kwargs, make=make, convert=convert,
                mode="fake", context=context, setup=setup, repair=repair or fake_repair, rewrite=rewrite,
                raise_errors=raise_errors, after_error=mark_data_dependent)
    if tr is None:
        raise TensorsightError(f"{type(model).__name__} cannot be copied for tracing (an attribute refuses "
                               f"copy.deepcopy and a structural copy)")
    if not is_module:
        tr.model = getattr(model, "__name__", "function")
    mark_data_dependent(tr)
    return tr


class _FunctionModule(torch.nn.Module):
    """A plain function traced like a module without parameters (its path is '')."""
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __deepcopy__(self, memo):
        return self


def _pairs(model, cp):
    return cp.pairs  # (the user's tensor, its twin), as the copy made them


_META_LIMITS = ("meta", "NotImplementedError", "same device", "device type", "data-dependent",
                "Cannot copy out of meta", "DynamicOutputShape", "Expected all tensors to be on the same")


def _meta_twin(t: torch.Tensor) -> torch.Tensor:
    from torch.nn.parameter import UninitializedTensorMixin
    if isinstance(t, UninitializedTensorMixin):  # the lazy hook sizes it, on meta
        return type(t)(t.requires_grad, torch.device("meta"), t.dtype)
    # empty_like runs a Python decomposition on meta (30 us a tensor); contiguous weights, the
    # common case, take the C++ factory
    twin = torch.empty(t.shape, dtype=t.dtype, device="meta") if t.is_contiguous() \
        else torch.empty_like(t, device="meta")
    if isinstance(t, torch.nn.Parameter):
        return torch.nn.Parameter(twin, t.requires_grad)
    if t.requires_grad and (twin.is_floating_point() or twin.is_complex()):
        twin.requires_grad_(True)
    return twin


def meta_trace(model, call_args: tuple, call_kwargs: dict, *, repair: Callable | None = None,
               rewrite: Callable | None = None, raise_errors: bool = True) -> Trace | None:
    """The fast path: an isolated copy on meta twins (no FakeTensorMode dispatch in Python).

    Factories inside forward land on meta through the device context; reads of values are
    answered by the oracle (capture.values); kernels whose meta version checks less than eager
    are checked as eager does (capture.kernels). What meta tensors cannot do (data-dependent
    sizes, a CPU tensor kept deep inside an attribute) returns None and the caller traces on fake
    tensors. A forward that raises otherwise raises ForwardError here, once.
    """
    from .kernels import META_RULES
    from .values import ValueOracle
    if not isinstance(model, torch.nn.Module) or _jit(model):
        return None
    device = _model_device(model)
    oracle = ValueOracle()

    def convert(t: torch.Tensor):
        twin = t.detach().to("meta").requires_grad_(t.requires_grad) if t.device.type != "meta" else t
        oracle.know(twin, t)
        return twin

    def setup(rec, cp):
        rec.oracle = oracle
        rec.meta_rules = META_RULES
        for original, twin in _pairs(model, cp):
            oracle.know(twin, original)

    def limits(exc) -> bool:
        text = f"{type(exc).__name__}: {exc}"
        return any(k in text for k in _META_LIMITS)

    return record(model, _meta_twin, call_args, call_kwargs, make=lambda s: spec_tensor(s, device="meta"),
                  convert=convert, mode="meta", setup=setup, limits=limits, repair=repair, rewrite=rewrite,
                  raise_errors=raise_errors,
                  recorder_options={"device_alias": str(device), "full_stacks": False})


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
