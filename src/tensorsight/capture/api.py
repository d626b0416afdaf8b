"""``tensorsight.trace``: the public entry point of capture."""
from __future__ import annotations

from typing import Any

import torch

from ..errors import TensorsightError
from . import real as _real  # noqa: F401 - the paths trace takes, loaded with it (not in the first call)
from .distributed import holds_dtensors
from .events import Trace
from .fake import trace as fake_trace


def trace(model: torch.nn.Module, example: Any = None, /, **kwargs) -> Trace:
    """Record every tensor op of ``model(example, **kwargs)`` on fake tensors.

    ``example``: a tensor, a shape such as ``(1, 1, 32, 32)``, a shape string such as
    ``"2x128:long"`` (token ids), a dict, or a tuple of those for several positional arguments.
    Keyword arguments go to ``forward`` and may themselves be tensors or shapes.
    No weights are read and no compute runs; the model is left exactly as it was. If the
    forward raises, ``tensorsight.errors.ForwardError`` carries the partial trace.
    """
    if not isinstance(model, torch.nn.Module) and not callable(model):
        raise TensorsightError(f"trace() needs an nn.Module or a callable, got {type(model).__name__}")
    if isinstance(model, torch.nn.Module) and holds_dtensors(model):  # TP / FSDP2: one rank's view
        from .dist_trace import trace_sharded
        return trace_sharded(model, example, kwargs=kwargs)
    return fake_trace(model, example, kwargs=kwargs)
