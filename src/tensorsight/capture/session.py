"""One forward of the user's model on an isolated copy, recorded: what every path shares.

The real, meta and fake paths differ only in the twins they make (real clones, meta tensors,
fake tensors) and in the context they run in. Each builds a :class:`Copy` of the module tree
(capture.isolate), runs ``forward`` on it under the Recorder and maps the module paths of the
trace back to the user's modules.
"""
from __future__ import annotations

from ..errors import safe_str

import contextlib
import weakref
from typing import Any, Callable

import torch

from ..errors import ForwardError, TensorsightError
from ..shapes import ShapeSpec
from .events import Trace
from .guard import untouched
from .inputs import materialize
from .isolate import Copy, isolated_copy
from .recorder import Recorder, _walk_tensors


def roles_of(model: torch.nn.Module, cp: Copy) -> dict[int, tuple[str, str]]:
    """id(twin) -> (role, name) for the copy's parameters and buffers."""
    roles: dict[int, tuple[str, str]] = {}
    for kind, items in (("param", model.named_parameters(remove_duplicate=False)),
                        ("buffer", model.named_buffers(remove_duplicate=False))):
        for name, t in items:
            twin = cp.twins.get(id(t))
            if twin is not None and id(twin) not in roles:
                role = "buffer" if kind == "buffer" else ("bias" if name.endswith("bias") else "weight")
                roles[id(twin)] = (role, name)
    return roles


def has_spec(value) -> bool:
    """Whether an input is made up from a shape (its values are zeros, not the user's)."""
    found = [False]

    def make(spec):
        found[0] = True
        return spec
    materialize(value, make, lambda t: t)
    return found[0]


def map_back(rec: Recorder, cp: Copy) -> None:
    """The trace's module paths point at the user's modules, not the throw-away copy's."""
    for path, ref in list(rec.module_objects.items()):
        m = ref()
        original = cp.originals.get(id(m)) if m is not None else None
        if original is not None:
            rec.module_objects[path] = weakref.ref(original)


def record(model: torch.nn.Module, twin: Callable[[torch.Tensor], torch.Tensor], call_args: tuple,
           call_kwargs: dict, *, make: Callable[[ShapeSpec], torch.Tensor],
           convert: Callable[[torch.Tensor], torch.Tensor], mode: str, context=contextlib.nullcontext,
           setup: Callable[[Recorder, Copy], None] | None = None, limits: Callable[[Exception], bool] | None = None,
           repair: Callable | None = None, rewrite: Callable | None = None, raise_errors: bool = True,
           recorder_options: dict | None = None, after_error: Callable[[Trace], None] | None = None) -> Trace | None:
    """Run ``model(*call_args, **call_kwargs)`` once on an isolated copy under the Recorder.

    ``limits(exc)`` says an exception is this path's own limitation (meta tensors cannot do
    it): the result is None and the caller tries another path. Any other exception is the
    user's forward raising: ForwardError with the partial trace (or, without ``raise_errors``,
    the trace with ``error`` set). None also when the model cannot be copied.
    """
    with untouched(model):
        try:
            cp = isolated_copy(model, twin)
        except TensorsightError:
            raise
        except Exception:  # noqa: BLE001 - nothing we can copy: another path decides
            return None
        roles = roles_of(model, cp)
        rec = Recorder(roles=roles, root=cp.root, repair=repair, rewrite=rewrite, **(recorder_options or {}))
        rec.record_reads = True
        rec.trace._modules = rec.module_objects  # path -> module, for diagnoses (not serialised)
        rec.trace.model = type(model).__name__
        rec.trace.mode = mode
        if setup is not None:
            setup(rec, cp)
        with context():
            try:
                args = materialize(call_args, make, convert)
                kwargs = materialize(call_kwargs, make, convert)
            except TensorsightError:
                raise
            except Exception:  # noqa: BLE001 - an input this path cannot make
                return None
            leaves: list[torch.Tensor] = []
            _walk_tensors((args, kwargs), leaves.append)
            for t in leaves:
                roles[id(t)] = ("input", "")
            rec.trace.inputs = [rec.meta(t) for t in leaves]
            try:
                with rec:
                    out = cp.root(*args, **kwargs)
            except TensorsightError:
                raise
            except Exception as exc:  # noqa: BLE001 - the user's forward raised, or this path cannot run it
                if limits is not None and limits(exc):
                    return None
                if after_error is not None:
                    after_error(rec.trace)
                rec.trace.error = safe_str(exc).split("\n\n")[0]
                rec.trace.error_type = type(exc).__name__
                map_back(rec, cp)
                if raise_errors:
                    raise ForwardError(rec.trace.error, rec.trace, exc) from exc
                return rec.trace
            outs: list[torch.Tensor] = []
            _walk_tensors(out, outs.append)
            rec.trace.outputs = [rec.meta(t) for t in outs]
    map_back(rec, cp)
    return rec.trace


def any_tensor(value) -> Any:
    found: list = []
    _walk_tensors(value, found.append)
    return found
