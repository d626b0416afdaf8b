"""Python's cyclic garbage collector paused while tensorsight builds a result.

A trace or a summary allocates tens of thousands of small objects that all survive (events,
TensorMetas, rows) and hold no cycles. In a process that has just imported torch and
transformers, that many survivors set off a full collection of the whole heap (0.2-0.4 s)
which frees nothing of ours. While paused, the collector waits; it runs again, as usual, when
the user's program allocates after the call. Re-entrant; the collector's state is restored.
"""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
