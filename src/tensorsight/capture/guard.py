"""Leave the user's model exactly as it was: train/eval flags, RNG state, parameters, buffers."""
from __future__ import annotations

import contextlib
import random

import torch


@contextlib.contextmanager
def untouched(model: torch.nn.Module | None):
    """Restore RNG states and train/eval flags after the block, whatever it did."""
    cpu_rng = torch.get_rng_state()
    py_rng = random.getstate()
    cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    modes = [(m, m.training) for m in model.modules()] if model is not None else []
    try:
        yield
    finally:
        torch.set_rng_state(cpu_rng)
        random.setstate(py_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)
        for m, flag in modes:
            if m.training != flag:
                m.training = flag


def state_fingerprint(model: torch.nn.Module) -> dict:
    """Identity, version counter, device and shape of every parameter and buffer (for tests)."""
    out = {}
    for kind, items in (("p", model.named_parameters(remove_duplicate=False)),
                        ("b", model.named_buffers(remove_duplicate=False))):
        for name, t in items:
            out[f"{kind}:{name}"] = (id(t), t._version, str(t.device), tuple(t.shape), t.dtype)
    out["modes"] = tuple(m.training for m in model.modules())
    return out
