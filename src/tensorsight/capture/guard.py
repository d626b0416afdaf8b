"""Leave the user's model exactly as it was: train/eval flags, RNG states, parameters, buffers."""
from __future__ import annotations

import contextlib
import random
import sys

import torch


@contextlib.contextmanager
def untouched(model: torch.nn.Module | None):
    """Restore torch, Python and numpy RNG states and train/eval flags after the block."""
    cpu_rng = torch.get_rng_state()
    py_rng = random.getstate()
    np_random = _numpy_random()
    np_rng = np_random.get_state() if np_random is not None else None
    cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    modes = [(m, m.training) for m in model.modules()] if model is not None else []
    try:
        yield
    finally:
        torch.set_rng_state(cpu_rng)
        random.setstate(py_rng)
        if np_rng is not None:
            np_random.set_state(np_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)
        for m, flag in modes:
            if m.training != flag:
                m.training = flag


def _numpy_random():
    """numpy's global RNG, if numpy.random is loaded (tracing never imports it: numpy loads it
    lazily, and a process that never loaded it has no state of it to keep)."""
    return sys.modules.get("numpy.random")


def state_fingerprint(model: torch.nn.Module) -> dict:
    """Identity, version counter, device and shape of every parameter and buffer (for tests)."""
    from torch.nn.parameter import UninitializedTensorMixin
    out = {}
    for kind, items in (("p", model.named_parameters(remove_duplicate=False)),
                        ("b", model.named_buffers(remove_duplicate=False))):
        for name, t in items:
            shape = None if isinstance(t, UninitializedTensorMixin) else tuple(t.shape)  # lazy: no shape yet
            out[f"{kind}:{name}"] = (id(t), t._version, str(t.device), shape, t.dtype)
    out["modes"] = tuple(m.training for m in model.modules())
    return out
