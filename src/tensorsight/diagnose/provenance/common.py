"""What the silent checks share: short op names, where an op ran, the provenance of an axis in words."""
from __future__ import annotations

import os

from ...capture.events import OpEvent, Trace
from .axes import AxisMap, provenance_text

CLASS_ROLES = {"class", "channel", "feature", "vocab", "embedding"}


def _short(ev: OpEvent) -> str:
    return ev.op.rsplit(".", 1)[-1]


def _at(ev: OpEvent) -> str:
    return f"{os.path.basename(ev.where.file)}:{ev.where.line}" if ev.where else ""


def _plural(role: str) -> str:
    return role if role.endswith("s") else role + "s"


def _roles_text(amap: AxisMap, axes) -> str:
    return "·".join(a.role for a in axes)


def _call_args(ev: OpEvent) -> str:
    return "(" + ", ".join(str(v) for v in ev.args[1:]) + ")"


def _prov(amap: AxisMap, ev: OpEvent, dim=None) -> str:
    p = ev.inputs[0].producer
    if p is None:
        return ""
    dims = [dim] if dim is not None else range(len(ev.inputs[0].shape))
    texts = [provenance_text(amap, p, _out_index(amap.trace, ev.inputs[0]), d) for d in dims]
    texts = [t for t in texts if t and " is ?" not in t]
    return f" ({'; '.join(texts[:3])})" if texts else ""


def _out_index(trace: Trace, meta) -> int:
    ev = trace.events[meta.producer]
    return next((j for j, o in enumerate(ev.outputs) if o.shape == meta.shape), 0)
