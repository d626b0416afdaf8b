"""Silent checks across the calls of one RNN: a sequence length changes from batch to batch and
a batch size does not, so an RNN whose "batch" dim takes many sizes while its "time" dim keeps
one reads its axes swapped (channels or microphones recurred over, the frames taken for samples)."""
from __future__ import annotations

from ...shapes import fmt_shape
from ..findings import Finding
from .common import _short
from .compare import RNNS, _ctor_kwarg

MIN_CALLS = 3   # distinct batch sizes that no loader's full and last batch explain


def rnn_length_rules(ctx) -> list[Finding]:
    amap, watcher = ctx.amap, ctx.watcher
    calls: dict[str, list] = {}
    for ev in ctx.trace.events:
        if _short(ev) in RNNS and ev.module and ev.inputs and len(ev.inputs[0].shape) == 3 \
                and len(ev.args) >= 9 and isinstance(ev.args[-1], bool):
            calls.setdefault(ev.module, []).append(ev)
    out = []
    for path, evs in calls.items():
        bf = evs[0].args[-1]
        t, b = (1, 0) if bf else (0, 1)
        shapes = [tuple(e.inputs[0].shape) for e in evs]
        steps = {s[t] for s in shapes}
        batches = sorted({s[b] for s in shapes})
        # (a batch of a varying number of padded sequences, e.g. the sentences of each document,
        # is usually fewer samples than steps; a swapped layout has the few entries as "time")
        if len(steps) != 1 or len(batches) < MIN_CALLS or set(batches) <= amap.loader_sizes \
                or min(batches) <= next(iter(steps)):
            continue
        if any(a.uids & amap.strong for e in evs for a in amap.input_roles(e.index, 0)[b:b + 1]):
            continue   # a DataLoader says that dim is the batch
        module = watcher.module(path) if watcher is not None else None
        if module is None:
            continue
        ev, mtype = evs[0], type(module).__name__
        name = path.rsplit(".", 1)[-1]
        (n_steps,) = steps
        layout = "[batch, time, …] (batch_first=True)" if bf else "[time, batch, …]"
        sizes = ", ".join(map(str, batches[:5])) + (", …" if len(batches) > 5 else "")
        msg = (f"{name} = {mtype}(…) reads its input as {layout}: over {len(evs)} calls its time dim {t} is "
               f"{n_steps} every time, while its batch dim {b} takes {len(batches)} sizes ({sizes}), as a sequence "
               f"length does, so it recurs over the {n_steps} entries of dim {t} and takes the steps for samples; ")
        # the layer reads the dims the other way round: its constructor is the one edit that swaps
        # them for every call (the code around it already works with these shapes)
        site = watcher.site(module)
        fixes = _ctor_kwarg(site, mtype, "batch_first", str(not bf))
        line = site or ev.where
        how = "construct it " + ("without batch_first, so that dim 0 is the time and dim 1 the batch" if bf else
                                 "with batch_first=True, so that dim 0 is the batch and dim 1 the time")
        out.append(Finding("warning", "rnn_layout", line.file, line.line,
                           msg + how + f" (first call: {fmt_shape(shapes[0])})", fixes or []))
    return out
