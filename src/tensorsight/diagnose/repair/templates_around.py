"""Edit template for a layout that is right everywhere but at one layer: a normalisation layer
that reads its features on dim 1 (BatchNorm1d, InstanceNorm1d, GroupNorm) called on
``[N, L, C]`` tensors whose features are last. Moving the axis where the tensor is made would
change it for every layer after it; the usual fix moves it for this layer only and back:
``self.bn(h.transpose(1, 2)).transpose(1, 2)``.
"""
from __future__ import annotations

import re

from ...shapes import fmt_shape
from ..edit import edits
from .candidate import Candidate, Context
from .sites import Site

# layers that read features on dim 1 and give back their input's layout
CHANNEL_FIRST_SAME_SHAPE = {"BatchNorm1d", "InstanceNorm1d", "GroupNorm", "SyncBatchNorm", "LazyBatchNorm1d"}
_ATOMIC = re.compile(r"^[\w.]+(\(.*\)|\[.*\])*$")


def transpose_around(ctx: Context, site: Site):
    """``bn(h)`` with h [8, 30, 50] and BatchNorm1d(50): ``bn(h.transpose(1, 2)).transpose(1, 2)``."""
    ev = ctx.ev
    if site.kind != "call" or site.depth != 0 or ev is None or not ev.module or not ev.activations:
        return
    module = ctx.crash.watcher.module(ev.module)
    if type(module).__name__ not in CHANNEL_FIRST_SAME_SHAPE:
        return
    want = getattr(module, "num_features", getattr(module, "num_channels", None))
    x = tuple(ev.activations[0].shape)
    if len(x) != 3 or x[-1] != want or x[1] == want:
        return
    name = ev.module.rsplit(".", 1)[-1]
    src = edits.load(site.file)
    if src is None or not edits.calls_covering(src, site.line, name):
        return
    call = edits.calls_covering(src, site.line, name)[0]
    if len(call.node.args) != 1:
        return
    arg = src.code(call.node.args[0].value).strip()
    arg = arg if _ATOMIC.match(arg) else f"({arg})"
    head = src.code(call.node.func).strip()
    fixes = edits._splice(src, call.start, call.end, f"{head}({arg}.transpose(1, 2)).transpose(1, 2)")
    if fixes and edits.parses(src, fixes):
        yield Candidate(tuple(fixes), "transpose_around", "data", site,
                        f"{type(module).__name__}({want}) reads features on dim 1, and {fmt_shape(x)} has its "
                        f"{want} features last: move them to dim 1 for this layer and back, "
                        f"{head}({arg}.transpose(1, 2)).transpose(1, 2)", 6.0)
