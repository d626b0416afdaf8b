"""Walk a tensor's history back through the Trace to the line where a fix belongs."""
from __future__ import annotations

from typing import Callable

from ...capture.events import Frame, OpEvent, TensorMeta, Trace

# ops that move data around without computing on it: a shape or dtype seen after them was
# already there before them
PLUMBING = {
    "stack", "cat", "__getitem__", "to", "long", "float", "double", "int", "half", "type", "clone",
    "detach", "contiguous", "from_numpy", "tensor", "as_tensor", "cpu", "cuda", "squeeze", "unsqueeze",
    "view", "reshape", "permute", "transpose", "flatten", "__truediv__", "__sub__", "__add__",
    "__mul__", "__rtruediv__", "__rsub__", "__radd__", "__rmul__", "div", "sub", "add", "mul",
    "float32", "bfloat16", "Tensor", "FloatTensor", "LongTensor", "default_collate", "expand",
    "repeat", "abs", "neg", "clamp",
}


def chain(trace: Trace, meta: TensorMeta, keep: Callable[[OpEvent, TensorMeta], bool],
          ops: set[str] | None = PLUMBING, limit: int = 200) -> list[OpEvent]:
    """Producers of ``meta``, newest first, while ``keep(event, output)`` holds.

    At each step the walk follows the activation input that carries the property.
    """
    out: list[OpEvent] = []
    cur = meta
    for _ in range(limit):
        if cur.producer is None or cur.producer >= len(trace.events):
            break
        ev = trace.events[cur.producer]
        if not keep(ev, cur):
            break
        out.append(ev)
        if ops is not None and ev.name not in ops and ev.op.rsplit(".", 1)[-1] not in ops:
            break
        nxt = None
        for t in ev.activations:
            if keep(ev, t) or t.shape == cur.shape:
                nxt = t
                break
        if nxt is None:
            break
        cur = nxt
    return out


def ancestors(trace: Trace, meta: TensorMeta, limit: int = 400):
    """Every event ``meta`` depends on, breadth first (newest first)."""
    seen: set[int] = set()
    queue = [meta.producer] if meta.producer is not None else []
    while queue and len(seen) < limit:
        i = queue.pop(0)
        if i in seen or i >= len(trace.events):
            continue
        seen.add(i)
        ev = trace.events[i]
        yield ev
        queue.extend(t.producer for t in ev.activations if t.producer is not None and t.producer not in seen)


def hoist(origin: Frame | None, origin_stack: tuple[Frame, ...], consumer_stack: tuple[Frame, ...]) -> Frame | None:
    """The line, in the consumer's own frames, where ``origin`` happened.

    If a tensor was made inside ``transform()`` called at line 63 and the model consumed it at
    line 65 of the same function, the fix belongs at line 63 (``data = transform(img)``).
    """
    if not origin_stack:
        return origin
    best = None
    for i, fr in enumerate(origin_stack):
        if i < len(consumer_stack):
            c = consumer_stack[i]
            if c.file == fr.file and c.function == fr.function:
                best = fr
                continue
        break
    if best is None:
        return origin_stack[0]
    return best


def top_call(trace: Trace, event_index: int):
    """The outermost module call (depth 0) whose ops include ``event_index``."""
    best = None
    for call in trace.modules:
        if call.depth == 0 and call.start <= event_index < max(call.end, call.start + 1):
            best = call
    return best
