"""Trace a small model for real, on a throw-away copy and zero inputs.

In a fresh process the first meta or fake op imports torch._dynamo (about 2 s); a LeNet runs
for real in milliseconds. So small models (a few million parameters, inputs and activations of
bounded size) are run on an isolated copy (capture.isolate) — the user's model, its buffers and
the RNG states are left exactly as they were — and everything else goes to the meta/fake paths.
A small model built on the meta device runs the same way, on CPU zeros in place of its meta
tensors: those zeros count as made up, like inputs given as shapes (a value read on them is
marked as computed on zeros; sizes that would come from their values send the trace to the
meta path), which is what the meta path assumes of meta weights too.
"""
from __future__ import annotations

import weakref
from typing import Callable

import torch
from torch.nn.parameter import UninitializedTensorMixin

from ..shapes import ShapeSpec
from .events import Trace
from .inputs import materialize, spec_tensor
from .budget import MemoryMeter, OverBudget
from .session import has_spec, record

MAX_PARAMS = 5_000_000      # parameters of a model we are willing to copy and run
MAX_INPUT = 2_000_000       # elements of the example inputs
# bytes of activations the real path may allocate, estimated before it runs (see
# ``activation_estimate``); above it the trace runs on meta tensors. While it runs, the meter
# of capture.budget stops it at MAX_REAL_BYTES allocated in total.
MAX_ACTIVATION_BYTES = 256 * 2**20


def _uninitialized(t) -> bool:
    return isinstance(t, UninitializedTensorMixin)


def _input_elements(call_args, call_kwargs) -> int | None:
    total = [0]

    def count_spec(spec: ShapeSpec):
        if spec.symbolic:
            raise ValueError
        n = 1
        for d in spec.dims:
            n *= d
        total[0] += n
        return spec

    def count_tensor(t: torch.Tensor):
        if t.device.type != "cpu":
            raise ValueError
        total[0] += t.numel()
        return t
    try:
        materialize((call_args, call_kwargs), count_spec, count_tensor)
    except ValueError:
        return None
    return total[0]


def activation_estimate(modules: int, widest_param: int, n_input: int) -> int:
    """Bytes a forward may allocate, before running it: every module may write an output as
    large as the largest of (its parameters, the inputs), as float32 — an upper bound that keeps
    wide upsamplers and huge inputs away from the real path without running them."""
    return 4 * modules * max(n_input, widest_param)


def small_enough(model, call_args, call_kwargs) -> bool:
    """Whether the real path may run: a CPU (or meta) model under MAX_PARAMS, inputs under
    MAX_INPUT and an activation estimate under MAX_ACTIVATION_BYTES."""
    if not isinstance(model, torch.nn.Module):
        return False
    # one walk of the tree (this runs before every small trace): parameters and buffers, each
    # tensor once, and the widest parameter for the activation estimate
    n = modules = widest = 0
    seen: set[int] = set()
    for m in model.modules():
        modules += 1
        for store, is_param in ((m._parameters, True), (m._buffers, False)):
            for t in store.values():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))
                if _uninitialized(t):
                    continue
                if t.device.type not in ("cpu", "meta") or t.is_sparse:
                    return False
                k = t.numel()
                n += k
                if n > MAX_PARAMS:
                    return False
                if is_param and k > widest:
                    widest = k
    n_input = _input_elements(call_args, call_kwargs)
    if n_input is None or n_input > MAX_INPUT:
        return False
    return activation_estimate(modules, widest, n_input) <= MAX_ACTIVATION_BYTES


DATA_DEPENDENT = {"nonzero", "masked_select", "unique", "unique_consecutive", "argwhere", "bincount",
                  "masked_scatter", "histc", "multinomial", "where_1", "nonzero_static"}


def _data_dependent(e) -> bool:
    """An op whose output *size* comes from values (on zeros it would get a made-up size)."""
    name = e.op.rsplit(".", 1)[-1]
    if name in DATA_DEPENDENT:
        return True
    if name == "where" and len(e.args) == 1:
        return True
    if name in ("__getitem__", "index", "__setitem__", "index_put_"):
        return any(t.dtype == "bool" for t in e.inputs[1:])
    if name == "repeat_interleave" and len(e.inputs) > 1:
        return True
    return False


def _clone(t: torch.Tensor) -> torch.Tensor:
    if _uninitialized(t):
        return type(t)(t.requires_grad, t.device, t.dtype)
    if t.device.type == "meta":  # no values to copy: zeros of its layout (made up, see real_trace)
        # not zeros_like: its meta-to-cpu form runs torch's Python reference (and imports sympy)
        c = torch.zeros(t.shape, dtype=t.dtype) if t.is_contiguous() else \
            torch.empty_strided(t.shape, t.stride(), dtype=t.dtype).zero_()
    else:
        c = _copy(t.detach())
    if isinstance(t, torch.nn.Parameter):
        return torch.nn.Parameter(c, t.requires_grad)
    if t.requires_grad and (c.is_floating_point() or c.is_complex()):
        c.requires_grad_(True)
    return c


def real_trace(model: torch.nn.Module, call_args: tuple, call_kwargs: dict, *,
               repair: Callable | None = None, rewrite: Callable | None = None,
               raise_errors: bool = True) -> Trace | None:
    """Run an isolated copy on zeros (or on copies of the given tensors).

    None when this path cannot tell the truth: the model cannot be copied, or sizes came from
    the values of made-up inputs (a boolean mask of zeros), or the forward raised after reading
    values of made-up inputs (zeros may be what made it fail). Branches on values of made-up
    inputs are kept and listed in ``trace.assumed``. A forward that raises otherwise raises
    ForwardError here, once.
    """
    spec_input = has_spec((call_args, call_kwargs))
    state = {"made_up": spec_input}

    def setup(rec, cp):
        # the model's meta tensors, from the copy just made (no second walk of the tree): their
        # CPU twins are zeros, made up like the inputs given as shapes
        on_meta = [twin for t, twin in cp.pairs if t.device.type == "meta" and not _uninitialized(t)]
        made_up = state["made_up"] = spec_input or bool(on_meta)
        rec.made_up = {} if made_up else None
        for twin in on_meta:
            rec.made_up[id(twin)] = weakref.ref(twin)
        state["rec"] = rec

    meter = MemoryMeter()

    def counted(t):
        meter.count(t)
        return t

    def make(spec):
        t = spec_tensor(spec, device="cpu")
        meter.count(t)
        state["rec"].made_up[id(t)] = weakref.ref(t)
        return t

    def limits(exc) -> bool:
        if isinstance(exc, OverBudget):
            return True  # the meta path allocates nothing
        rec = state["rec"]  # a failure only zeros may have caused: let the meta/fake paths try
        return state["made_up"] and (rec.read_values or any(_data_dependent(e) for e in rec.trace.events))

    with torch.no_grad():
        tr = record(model, _clone, call_args, call_kwargs, make=make, convert=lambda t: counted(_clone_input(t)),
                    mode="real", setup=setup, limits=limits, repair=repair, rewrite=rewrite, raise_errors=raise_errors,
                    recorder_options={"full_stacks": False, "meter": meter})
    if tr is None:
        return None
    sized = [e for e in tr.events if _data_dependent(e)]
    if state["made_up"] and not tr.error and sized:
        return None  # zeros would give these a size; the meta/fake paths mark them unknown instead
    for e in sized:  # the user's own values gave these sizes
        e.note = e.note or "data-dependent"
    return tr


def _clone_input(t: torch.Tensor) -> torch.Tensor:
    return _copy(t.detach()).requires_grad_(t.requires_grad)


def _copy(t: torch.Tensor) -> torch.Tensor:
    """A copy that shares the storage until either side writes to it (copy-on-write): a forward
    only reads the weights, so nothing is copied, and an in-place update in the forward lands on
    the copy alone. A tensor torch cannot lazily clone (a view of another layout, an older torch)
    is copied outright."""
    try:
        return t._lazy_clone()
    except (AttributeError, RuntimeError, TypeError):
        return t.clone()
