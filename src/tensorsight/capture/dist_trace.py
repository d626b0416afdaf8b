"""Trace a sharded model (DTensor parameters after parallelize_module / fully_shard) on one rank.

The forward runs on the model's own modules, because tensor parallelism and FSDP2 live in their
hooks and parameters: on fake tensors when the model's local parameters are fake (built inside
``simulated_world(..., fake_tensors=True)``) or real, on meta tensors when they are meta. Every
op gets its global and local shapes, placements and collectives (``event.dist``). Afterwards FSDP
modules are resharded, so the model holds exactly the parameters it held before.
"""
from __future__ import annotations

from ..errors import safe_str

from typing import Any

import torch
from torch._subclasses.fake_tensor import unset_fake_temporarily

from ..errors import ForwardError, TensorsightError
from ..shapes import ShapeSpec
from .dist_record import CommTap, DistTap
from .distributed import fake_mode_of, local_tensor
from .events import Trace
from .fake import _leaves, _quiet_fake_logs, fake_repair, mark_data_dependent, new_fake_mode, to_fake
from .guard import untouched
from .inputs import materialize, normalize_example, spec_tensor
from .recorder import Recorder


def trace_sharded(model: torch.nn.Module, example: Any = None, *, args: tuple | None = None,
                  kwargs: dict | None = None, full_stacks: bool = False,
                  raise_errors: bool = True, real: bool = False) -> Trace:
    """Record every op of a sharded ``model(example)`` as this rank sees it.

    ``real=True`` runs the forward for real on zeros (a real multi-process job: collectives
    really move data), still recording the same way."""
    call_args = normalize_example(example) if args is None else tuple(args)
    call_kwargs = dict(kwargs or {})
    local = [local_tensor(t) for t in list(model.parameters()) + list(model.buffers())]
    device = local[0].device if local else torch.device("cpu")
    on_meta = device.type == "meta"
    mode = None if on_meta or real else (fake_mode_of(model) or new_fake_mode())

    def make(spec: ShapeSpec):
        if real:
            return spec_tensor(spec, device=device)
        with unset_fake_temporarily():
            meta = spec_tensor(spec, device="meta")
        return meta if mode is None else to_fake(mode, meta, device)

    def convert(t: torch.Tensor):
        if real:
            return t
        if mode is None:
            return t.detach().to("meta")
        return t if getattr(t, "fake_mode", None) is mode else to_fake(mode, t, device if t.device.type == "meta" else None)

    fargs = materialize(call_args, make, convert)
    fkwargs = materialize(call_kwargs, make, convert)
    roles = {id(p): ("bias" if name.endswith("bias") else "weight", name)
             for name, p in model.named_parameters(remove_duplicate=False)}
    roles.update({id(b): ("buffer", name) for name, b in model.named_buffers(remove_duplicate=False)})
    for t in _leaves((fargs, fkwargs)):
        roles[id(t)] = ("input", "")
    rec = Recorder(roles=roles, root=model, repair=fake_repair if mode is not None else None,
                   full_stacks=full_stacks)
    rec.fake_mode = mode
    rec.trace._modules = rec.module_objects
    rec.trace.model = type(model).__name__
    rec.trace.mode = "real" if real else ("meta" if on_meta else "fake")
    tap = DistTap(rec, model)
    with untouched(model), _quiet_fake_logs(), (mode if mode is not None else _nothing()):
        rec.trace.inputs = [rec.meta(t) for t in _leaves((fargs, fkwargs))]
        try:
            with rec, tap, CommTap(tap):
                out = model(*fargs, **fkwargs)
        except TensorsightError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's forward raised: report it
            tap.finish()
            mark_data_dependent(rec.trace)
            rec.trace.error = safe_str(exc).split("\n\n")[0]
            rec.trace.error_type = type(exc).__name__
            if raise_errors:
                raise ForwardError(rec.trace.error, rec.trace, exc) from exc
            return rec.trace
        finally:
            reshard(model)
        tap.finish()
        rec.trace.outputs = [rec.meta(t) for t in _leaves(out)]
    mark_data_dependent(rec.trace)
    return rec.trace


def reshard(model: torch.nn.Module) -> None:
    """FSDP2 keeps the root's parameters unsharded after forward: put the sharded ones back."""
    try:
        from torch.distributed.fsdp import FSDPModule
    except ImportError:
        return
    for m in model.modules():
        if isinstance(m, FSDPModule):
            m.reshard()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
