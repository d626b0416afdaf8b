"""The recorder: a TorchFunctionMode that writes every tensor op into a Trace.

It sees modules' functional calls (F.conv2d inside nn.Conv2d), the user's own functional calls,
tensor methods and operators. Module boundaries come from global forward hooks (the
bookkeeping of capture.module_calls), so the module path of each op is known without touching
the model. This module is the per-op hot path: naming the op, describing its tensors once,
linking each tensor to the event that made it. It works the same on real, fake and
symbolic tensors; running on fake tensors is the job of ``capture.fake``.
"""
from __future__ import annotations

import sys
import weakref
from typing import Any, Callable

import torch
from torch.overrides import TorchFunctionMode

from ..errors import safe_str
from .collector import collector_paused
from .events import ModuleCall, OpEvent, TensorMeta, TensorRef, Trace
from .module_calls import ModuleCalls
from .reads import _TO_HOST, ValueReads, _copies_out_of_meta
from .source import user_frame, user_stack
from .walk import _walk_tensors  # noqa: F401 - re-exported: the recorder's callers import it here

# Tensor methods that only read metadata: never worth an event.
_SKIP_NAMES = frozenset({
    "size", "dim", "ndimension", "numel", "nelement", "stride", "storage_offset", "is_contiguous",
    "data_ptr", "element_size", "get_device", "is_floating_point", "is_complex", "__len__",
    "__format__", "__repr__", "__str__", "__hash__", "__bool__", "__index__", "__int__",
    "__float__", "__iter__", "__reduce_ex__", "__deepcopy__", "__array__", "__contains__",
    "__get__", "__set__", "_is_view", "has_names", "is_shared", "is_pinned", "untyped_storage",
    "storage", "__setstate__", "_backward_hooks", "requires_grad_", "retain_grad",
    "register_hook", "backward", "detach_", "_version", "__torch_function__", "__reversed__",
    "__dlpack__", "type", "cpu_", "is_leaf", "grad_fn", "names", "tolist", "numpy",
    "__array_wrap__", "_make_subclass", "is_nested", "__del__",
})
# ops whose scalar result is worth recording (a data-dependent value)
_SCALAR_OPS = frozenset({"item"})

_PLAIN = frozenset({int, float, bool, str, type(None)})
_name_cache: dict[Any, str | None] = {}
_VALUE_READS = {torch.Tensor.__bool__, torch.Tensor.tolist, torch.Tensor.__int__, torch.Tensor.__float__,
                torch.Tensor.numpy, torch.Tensor.__index__}


_MISSING = object()
_record_names: dict[Any, str | None] = {}
_SETTERS: set = set()   # property setters (``t.data = other``): the tensor's metadata may change


def _record_name(func) -> str | None:
    """``op_name(func)``, None also for torch.nn.init (weights made, nothing to show); cached
    for the hot path."""
    try:
        return _record_names[func]
    except (KeyError, TypeError):
        pass
    name = op_name(func)
    if name is not None and name.startswith("torch.nn.init."):
        name = None
    if getattr(func, "__name__", None) == "__set__":
        try:
            _SETTERS.add(func)
        except TypeError:
            pass
    try:
        _record_names[func] = name
    except TypeError:
        pass
    return name


def op_name(func) -> str | None:
    """``F.conv2d``, ``torch.cat``, ``Tensor.view``; None for ops that are never recorded."""
    try:
        return _name_cache[func]
    except (KeyError, TypeError):
        pass
    name = getattr(func, "__name__", None) or type(func).__name__
    qual = getattr(func, "__qualname__", name) or name
    module = getattr(func, "__module__", None) or ""
    if name in _SKIP_NAMES:
        result = None
    elif module.startswith("torch.nn.functional") or module == "torch._C._nn" \
            or getattr(torch.nn.functional, name, None) is func:
        result = f"F.{name}"
    elif qual.startswith(("TensorBase.", "Tensor.", "_TensorBase.")) or module == "torch._tensor":
        result = f"Tensor.{name}"
    elif qual.startswith("_VariableFunctionsClass.") or module in ("torch", "torch.functional"):
        result = f"torch.{name}"
    elif module.startswith("torch._C._linalg") or module.startswith("torch.linalg"):
        result = f"torch.linalg.{name}"
    elif module.startswith("torch._C._special") or module.startswith("torch.special"):
        result = f"torch.special.{name}"
    elif module.startswith("torch._C._fft") or module.startswith("torch.fft"):
        result = f"torch.fft.{name}"
    elif module.startswith("torch"):
        result = f"{module.replace('torch.', 'torch.', 1)}.{name}"
    else:
        result = f"{module}.{name}" if module else name
    try:
        _name_cache[func] = result
    except TypeError:
        pass
    return result


def _dims(shape) -> tuple:
    dims = tuple(shape)
    for d in dims:
        if type(d) is not int:
            return tuple(d if type(d) is int else (int(d) if _is_const(d) else str(d)) for d in dims)
    return dims


_dtype_names: dict = {}
_device_names: dict = {}


def _dtype_name(dtype) -> str:
    name = _dtype_names.get(dtype)
    if name is None:
        name = _dtype_names[dtype] = str(dtype).removeprefix("torch.")
    return name


def _device_name(device) -> str:
    name = _device_names.get(device)
    if name is None:
        name = _device_names[device] = str(device)
    return name


def _is_const(d) -> bool:
    try:
        return d.node.is_constant() if hasattr(d, "node") else True
    except Exception:  # noqa: BLE001 - any symbolic oddity: keep it as a string
        return False


class Recorder(ValueReads, ModuleCalls, TorchFunctionMode):
    """Record tensor ops into ``self.trace``.

    ``roles`` maps ``id(tensor)`` of parameters/buffers to ``(role, name)`` so weights are told
    apart from activations. ``dedupe=True`` (used while watching a real training run) records
    each (op, call site, module, input signature) once and afterwards only keeps track of which
    event produced which tensor, so a long run pays for its first step only.
    """

    def __init__(self, *, roles: dict[int, tuple[str, str]] | None = None,
                 root: torch.nn.Module | None = None, dedupe: bool = False,
                 max_events: int = 200_000, on_error: Callable | None = None,
                 repair: Callable | None = None, rewrite: Callable | None = None,
                 device_alias: str | None = None, full_stacks: bool = True, meter=None):
        super().__init__()
        # the real path's memory bound (capture.budget.MemoryMeter): checked in the op hook itself,
        # not as a second mode, which would see every op, ours included, through another Python call
        self.meter = meter
        self.trace = Trace()
        self.roles = roles or {}
        self.dedupe = dedupe
        self.max_events = max_events
        self.on_error = on_error
        self.repair = repair  # (recorder, event, func, args, kwargs, exc) -> output or None
        self.rewrite = rewrite  # (recorder, event, func, args, kwargs) -> output or None (run instead)
        self._producer: dict[int, tuple[weakref.ref, int]] = {}
        self._seen: dict[tuple, int] = {}
        self._seen_calls: set = set()
        self.module_objects: dict[str, weakref.ref] = {}  # module path -> the module
        self._stack: list[tuple[torch.nn.Module, str, ModuleCall | None]] = []
        self._children: dict[int, dict[int, str]] = {}
        self._root = root
        self._hooks: list = []
        self.depth = 0  # >0 while our own bookkeeping runs tensor code
        self.suspended = 0  # >0 while tensorsight runs the user's modules for itself (rehearsals)
        self.device_alias = device_alias  # tracing on meta twins: report the model's device
        self.factory_device = "meta" if device_alias is not None else None
        self.full_stacks = full_stacks  # every user frame (for diagnoses) or just the innermost
        self.stop = None  # (frame, include): where the user's program ends on the call stack
        self.read_values = False
        # tracing on meta/fake twins: ``oracle`` (capture.values) answers reads of tensor values
        # and ``meta_rules`` (capture.kernels) check what those kernels skip; ``record_reads``
        # writes each value read (a branch on data) into the trace with what it assumed
        self.oracle = None
        self.shape_env = None
        self.meta_rules: dict = {}
        self.record_reads = False
        # real runs on made-up inputs: tensors computed from them (id -> weakref), so a value
        # read says whether it came from zeros or from the user's own tensors
        self.made_up: dict[int, weakref.ref] | None = None
        # the watcher switches op recording off once the training steps repeat themselves; a
        # module called with a new signature (last batch, eval mode) switches it back on
        self.active = True
        self._paused_depth: int | None = None  # mode-stack depth while popped off (see pause)
        self._pop_pending = False

    # -- module boundaries: capture.module_calls; entering installs its hooks -----------------
    def __enter__(self):
        self._watch_modules()
        # One recorded forward keeps every event it makes (see capture.collector): the collector
        # waits until the forward is over; a watched training run (dedupe) keeps it running.
        self._gc_pause = None
        if not self.dedupe:
            self._gc_pause = collector_paused()
            self._gc_pause.__enter__()
        return super().__enter__()

    def __exit__(self, *exc):
        self._unwatch_modules()
        pause, self._gc_pause = getattr(self, "_gc_pause", None), None
        if pause is not None:
            pause.__exit__(None, None, None)
        if self._paused_depth is not None:  # already off the stack
            self._paused_depth = None
            return False
        return super().__exit__(*exc)

    # -- tensors -----------------------------------------------------------------------------
    # ``_producer[id(t)]`` = (weakref to t, index of the event that made it, t's TensorMeta as an
    # input or None): a tensor made by a recorded op is described once, when it is made, and
    # every later op that reads it shares that TensorMeta. None (a dedupe hit, a property
    # setter that may have changed it) means: describe it again when it is read.
    def meta(self, t: torch.Tensor) -> TensorMeta:
        key = id(t)
        hit = self._producer.get(key)
        if hit is not None and hit[0]() is t:
            if hit[2] is not None:
                return hit[2]
            producer = hit[1]
        else:
            producer = None
        return self._describe(t, producer)

    def _describe(self, t: torch.Tensor, producer: int | None) -> TensorMeta:
        role = self.roles.get(id(t))
        try:
            shape = _dims(t.shape)
        except Exception:  # noqa: BLE001 - e.g. a nested/sparse tensor without sizes
            shape = ()
        # Parameter's metaclass makes isinstance a Python call: plain tensors skip it
        if role is None and type(t) is not torch.Tensor and isinstance(t, torch.nn.Parameter):
            role = ("weight", "")
        device = _device_name(t.device)
        if self.device_alias is not None and device == "meta":
            device = self.device_alias
        return TensorMeta(shape, _dtype_name(t.dtype), device, producer, role[0] if role else "")

    def _kwarg_metas(self, kwargs: dict) -> dict:
        out = {}
        for k, v in kwargs.items():
            if isinstance(v, torch.Tensor):
                out[k] = self.meta(v)
            elif isinstance(v, (list, tuple)) and v and all(isinstance(t, torch.Tensor) for t in v):
                out[k] = [self.meta(t) for t in v]
            elif v is None or isinstance(v, (bool, int, float, str)):
                out[k] = v
        return out

    def _metas(self, value) -> list[TensorMeta]:
        out: list[TensorMeta] = []
        _walk_tensors(value, lambda t: out.append(self.meta(t)))
        return out

    def output_meta(self, t: torch.Tensor, index: int) -> TensorMeta:
        """``meta(t)`` of a tensor event ``index`` just made: no role, no earlier producer."""
        try:
            shape = _dims(t.shape)
        except Exception:  # noqa: BLE001 - e.g. a nested/sparse tensor without sizes
            shape = ()
        device = _device_name(t.device)
        if self.device_alias is not None and device == "meta":
            device = self.device_alias
        return TensorMeta(shape, _dtype_name(t.dtype), device, index, "")

    def _summarize(self, value, inputs: list[TensorMeta], depth: int = 0):
        tp = type(value)
        if tp in _PLAIN:  # the common cases first: no isinstance chain
            return value
        if tp is torch.Tensor or tp is torch.nn.Parameter or isinstance(value, torch.Tensor):
            inputs.append(self.meta(value))
            return _ref(len(inputs) - 1)
        if isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, torch.Size):
            return _dims(value)
        if isinstance(value, (torch.SymInt, torch.SymFloat, torch.SymBool)):
            return str(value)
        if isinstance(value, (list, tuple)):
            if depth > 3:
                return f"<{type(value).__name__} of {len(value)}>"
            items = [self._summarize(v, inputs, depth + 1) for v in value]
            return tuple(items) if isinstance(value, tuple) else items
        if isinstance(value, slice):
            return slice(value.start, value.stop, value.step)
        if value is Ellipsis:
            return "..."
        if isinstance(value, (torch.dtype, torch.device, torch.memory_format, torch.layout)):
            return str(value)
        if isinstance(value, dict):
            return {str(k): self._summarize(v, inputs, depth + 1) for k, v in value.items()}
        return f"<{type(value).__name__}>"

    def _signature(self, func, args, kwargs):
        f = sys._getframe(2)
        # the caller's call site too: a helper (``init_hidden``) called from two lines makes two
        # different tensors, and a later crash must see the line that made the one it got
        g = f.f_back
        sig = [func, id(self._stack[-1][0]) if self._stack else 0, f.f_code, f.f_lasti,
               g.f_code if g is not None else None, g.f_lasti if g is not None else 0]
        _walk_tensors((args, kwargs), lambda t: sig.append((tuple(t.shape), t.dtype)))
        return tuple(sig)

    # -- the hook ----------------------------------------------------------------------------
    def __torch_function__(self, func, types, args=(), kwargs=None):
        if not self.active:
            return func(*args, **(kwargs or {}))
        if kwargs is None:
            kwargs = {}
        name = _record_names.get(func, _MISSING)
        if name is _MISSING:
            name = _record_name(func)
        if name is None or self.depth or self.suspended:
            if func in _VALUE_READS:
                self.read_values = True  # python branched on or read a tensor's data
                if self.record_reads and not self.depth:
                    return self._value_read(func, args, kwargs)
            elif func in _SETTERS and args:
                self._forget(args[0])
            if self.meter is not None and name is not None and not self.depth:
                return self._run(func, args, kwargs)  # tensorsight running the user's modules
            return func(*args, **kwargs)
        if self.factory_device is not None and kwargs.get("device") is None and func in _factories():
            kwargs["device"] = self.factory_device
        sig = None
        if self.dedupe:
            sig = self._signature(func, args, kwargs)
            seen = self._seen.get(sig)
            if seen is not None:
                try:
                    out = func(*args, **kwargs)
                except Exception:  # noqa: BLE001 - same signature, new failure (data-dependent): record it
                    pass
                else:
                    self._map_outputs(out, seen)
                    return out
        events = self.trace.events
        if len(events) >= self.max_events:
            return self._run(func, args, kwargs)
        inputs: list[TensorMeta] = []
        summarize = self._summarize
        sargs = tuple([summarize(a, inputs) for a in args])
        skw = {k: summarize(v, inputs) for k, v in kwargs.items()} if kwargs else {}
        if self.full_stacks:
            stack = user_stack(2, stop=self.stop)
            where = stack[-1] if stack else None
        else:
            where = user_frame(2)
            stack = (where,) if where is not None else ()
        top = self._stack[-1] if self._stack else None
        event = OpEvent(len(events), name, inputs, [], sargs, skw, top[1] if top else "",
                        type(top[0]).__name__ if top else "", where, stack)
        try:
            out = self.rewrite(self, event, func, args, kwargs) if self.rewrite else None
            if out is not None:
                event.note = "rewritten"
            elif self.meta_rules:
                rule = self.meta_rules.get(func)
                out = rule(func, args, kwargs) if rule is not None else None
            if out is None:
                if func is torch.Tensor.item and self.record_reads:
                    out = self._item(func, args, kwargs, event)
                elif func in _TO_HOST and self.oracle is not None and _copies_out_of_meta(func, args, kwargs):
                    out = self._to_host(func, args, kwargs, event)
                else:
                    out = self._run(func, args, kwargs)
        except Exception as exc:
            event.error = f"{type(exc).__name__}: {safe_str(exc)}".split("\n\n")[0][:2000]
            out = self.repair(self, event, func, args, kwargs, exc) if self.repair else None
            if out is None:
                events.append(event)
                if self.on_error is not None:
                    self.on_error(event, exc)
                raise
            event.note = event.note or "repaired"
        if inputs and name[-1] == "_" and all(t.role == "buffer" for t in inputs):
            return out  # bookkeeping such as BatchNorm's num_batches_tracked += 1
        if self.made_up is not None and self._args_made_up(args, kwargs):
            self._mark_outputs_made_up(out)
        if self.oracle is not None:
            self.oracle.produced(func, args, kwargs, out)
            if self.shape_env is not None:
                self.oracle.hint_unbacked(self.shape_env, out)
        index = event.index
        if isinstance(out, torch.Tensor):
            meta = self.output_meta(out, index)
            event.outputs = [meta]
            events.append(event)
            self._map_output(out, index, meta)
        else:
            outputs: list[TensorMeta] = []
            _walk_tensors(out, lambda t: outputs.append(self.output_meta(t, index)))
            if not outputs and name.rsplit(".", 1)[-1] not in _SCALAR_OPS:
                return out  # e.g. torch.equal, Tensor.allclose: nothing shaped to record
            if not outputs:
                event.outputs = [TensorMeta((), _scalar_dtype(out), "scalar")]
                event.note = event.note or ("data-dependent" if "u" in str(out) or "zuf" in str(out) else "")
            else:
                event.outputs = outputs
            events.append(event)
            self._map_outputs(out, index, outputs)
        if sig is not None:
            self._seen[sig] = index
        return out

    def _run(self, func, args, kwargs):
        """Run the op; under a memory ``meter`` (capture.budget, the real path) check what it is
        about to allocate and count what it returned (OverBudget stops the run)."""
        meter = self.meter
        if meter is None:
            return func(*args, **kwargs)
        meter.before(func, args, kwargs)
        out = func(*args, **kwargs)
        meter.count(out)
        return out

    def external(self, name: str, out) -> None:
        """Record a tensor made by a function torch does not let modes see (torch.from_numpy)."""
        if self.depth or len(self.trace.events) >= self.max_events or not isinstance(out, torch.Tensor):
            return
        stack = user_stack(2, stop=self.stop)
        index = len(self.trace.events)
        meta = self.meta(out)
        self.trace.events.append(OpEvent(index=index, op=name, inputs=[], outputs=[
            TensorMeta(meta.shape, meta.dtype, meta.device, index, "")], module=self.module_path,
            where=stack[-1] if stack else None, stack=stack))
        self._map_outputs(out, index)

    def _map_output(self, t, index: int, meta: TensorMeta | None) -> None:
        """``t`` was made by event ``index``, which recorded it as ``meta`` (None: not known)."""
        key = id(t)
        if meta is not None:
            role = self.roles.get(key)
            if role is not None or (type(t) is not torch.Tensor and isinstance(t, torch.nn.Parameter)):
                meta = None  # made in place into a weight or an input: keeps its role when read
        try:
            self._producer[key] = (weakref.ref(t), index, meta)
        except TypeError:
            pass

    def _map_outputs(self, out, index: int, metas: list[TensorMeta] | None = None) -> None:
        if isinstance(out, torch.Tensor):
            self._map_output(out, index, metas[0] if metas else None)
            return
        found: list = []
        _walk_tensors(out, found.append)
        for i, t in enumerate(found):
            self._map_output(t, index, metas[i] if metas is not None and i < len(metas) else None)

    def _forget(self, t) -> None:
        """``t``'s metadata may have changed behind the recorder's back: describe it afresh."""
        hit = self._producer.get(id(t))
        if hit is not None and hit[2] is not None:
            self._producer[id(t)] = (hit[0], hit[1], None)


_REFS = [TensorRef(i) for i in range(64)]


def _ref(i: int) -> TensorRef:
    return _REFS[i] if i < 64 else TensorRef(i)


_factory_set = None


def _factories():
    global _factory_set
    if _factory_set is None:
        from torch.utils._device import _device_constructors
        _factory_set = _device_constructors()
    return _factory_set


def _scalar_dtype(value) -> str:
    return {bool: "bool", int: "int64", float: "float64"}.get(type(value), type(value).__name__)
