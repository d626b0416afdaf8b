"""Trace a small model for real, on a throw-away copy and zero inputs.

In a fresh process the first meta or fake op imports torch._dynamo (about 2 s); a LeNet runs
for real in milliseconds. So small models (a few million parameters, small inputs) are run on a
deep copy — the user's model, its buffers and the RNG state are left exactly as they were —
and everything else goes to the meta/fake paths in ``capture.fake``.
"""
from __future__ import annotations

import copy
from typing import Callable

import torch

from ..errors import TensorsightError
from ..shapes import ShapeSpec
from .events import Trace
from .guard import untouched
from .inputs import materialize, spec_tensor
from .recorder import Recorder, _walk_tensors

MAX_PARAMS = 5_000_000      # parameters of a model we are willing to copy and run
MAX_INPUT = 2_000_000       # elements of the example inputs


def small_enough(model, call_args, call_kwargs) -> bool:
    if not isinstance(model, torch.nn.Module):
        return False
    n = 0
    for t in list(model.parameters()) + list(model.buffers()):
        if t.device.type != "cpu" or t.is_sparse:
            return False
        n += t.numel()
        if n > MAX_PARAMS:
            return False
    total = [0]

    def count(x):
        from .inputs import as_spec
        spec = as_spec(x) if not isinstance(x, torch.Tensor) else None
        if spec is not None:
            if spec.symbolic:
                raise ValueError
            size = 1
            for d in spec.dims:
                size *= d
            total[0] += size
        elif isinstance(x, torch.Tensor):
            total[0] += x.numel()
            if x.device.type != "cpu":
                raise ValueError
        return x
    try:
        materialize((call_args, call_kwargs), count, count)
    except (ValueError, TensorsightError):
        return False
    return total[0] <= MAX_INPUT


DATA_DEPENDENT = {"nonzero", "masked_select", "unique", "unique_consecutive", "item", "argwhere", "bincount",
                  "tolist", "masked_scatter", "histc", "multinomial", "where_1", "nonzero_static"}


def _data_dependent(e) -> bool:
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


def real_trace(model: torch.nn.Module, call_args: tuple, call_kwargs: dict, *,
               repair: Callable | None = None, rewrite: Callable | None = None,
               raise_errors: bool = True) -> Trace | None:
    """Run a deep copy on zeros (or on copies of the given tensors); None if that cannot be done."""
    with untouched(model):
        try:
            twin = copy.deepcopy(model)
        except Exception:  # noqa: BLE001 - something in the model cannot be copied
            return None
        roles: dict[int, tuple[str, str]] = {}
        names = {}
        for kind, items in (("param", twin.named_parameters(remove_duplicate=False)),
                            ("buffer", twin.named_buffers(remove_duplicate=False))):
            for name, t in items:
                roles[id(t)] = ("buffer" if kind == "buffer" else ("bias" if name.endswith("bias") else "weight"), name)
                names[id(t)] = name

        def make(spec: ShapeSpec):
            return spec_tensor(spec, device="cpu")

        def convert(t: torch.Tensor):
            return t.detach().clone().requires_grad_(t.requires_grad)

        rargs = materialize(call_args, make, convert)
        rkwargs = materialize(call_kwargs, make, convert)
        rec = Recorder(roles=roles, root=twin, full_stacks=False, repair=repair, rewrite=rewrite)
        rec.trace._modules = rec.module_objects
        rec.trace.model = type(model).__name__
        rec.trace.mode = "real"
        leaves: list[torch.Tensor] = []
        _walk_tensors((rargs, rkwargs), leaves.append)
        for t in leaves:
            roles[id(t)] = ("input", "")
        rec.trace.inputs = [rec.meta(t) for t in leaves]
        try:
            with torch.no_grad(), rec:
                out = twin(*rargs, **rkwargs)
        except Exception as exc:  # noqa: BLE001 - let the fake path trace (and report) it
            if raise_errors:
                return None
            rec.trace.error = str(exc).split("\n\n")[0]
            rec.trace.error_type = type(exc).__name__
            return rec.trace
        if rec.read_values or any(_data_dependent(e) for e in rec.trace.events):
            return None  # zeros would give these a size; the fake path marks them unknown instead
        outs: list[torch.Tensor] = []
        _walk_tensors(out, outs.append)
        rec.trace.outputs = [rec.meta(t) for t in outs]
    # the copy's modules stand in for the user's: map paths back to the real ones
    originals = dict(model.named_modules(remove_duplicate=False))
    import weakref
    for path in list(rec.module_objects):
        if path in originals:
            rec.module_objects[path] = weakref.ref(originals[path])
    return rec.trace
