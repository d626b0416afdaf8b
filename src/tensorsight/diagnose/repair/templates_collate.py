"""Samples of different spatial sizes through the default collate: bring every sample to one
size where the Dataset returns it (``__getitem__``), images bilinearly and the other maps of
the sample (masks, label maps) by nearest neighbour so their values stay labels.

The size is read from the samples the failing ``stack`` got: the median of their heights and
widths, rounded to a multiple of 32 (what common encoders downsample by). The re-run says
whether the network takes it.
"""
from __future__ import annotations

import ast
import re
import statistics

from ..edit import edits
from ..findings import Fix
from .candidate import Candidate, Context
from .sites import Site

_EQUAL = re.compile(r"stack expects each tensor to be equal size")
# above pad_collate: padding images to the largest one changes what every mask lines up with
RESIZE_PRIOR = 5.5


def _in_collate(crash) -> bool:
    tb = crash.exc.__traceback__
    while tb is not None:
        if "collate" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def _fetched_dataset(crash):
    """The Dataset the failing batch was fetched from, read off the traceback (the DataLoader
    itself may be gone: ``for x in DataLoader(...)`` keeps only its iterator)."""
    from torch.utils.data import Dataset
    tb = crash.exc.__traceback__
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        ds = getattr(owner, "dataset", None) if owner is not None else None
        if isinstance(ds, Dataset):
            return ds
        tb = tb.tb_next
    return None


def common_size(shapes: list[tuple]) -> int | None:
    """One square side for samples whose leading axes agree and whose last two differ."""
    if len(shapes) < 2 or any(len(s) < 3 or s[:-2] != shapes[0][:-2] for s in shapes):
        return None
    sides = [d for s in shapes for d in s[-2:]]
    return max(32, int(round(statistics.median(sides) / 32)) * 32)


def _getitem_returns(dataset):
    fn = getattr(type(dataset), "__getitem__", None)
    code = getattr(fn, "__code__", None)
    if code is None:
        return None, []
    path = code.co_filename
    src = edits.load(path)
    if src is None:
        return None, []
    tree = ast.parse("\n".join(src.lines))
    for node in ast.walk(tree):
        # co_firstlineno is the first decorator's line when there is one, else the def's
        first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else getattr(node, "lineno", 0)
        if isinstance(node, ast.FunctionDef) and node.name == "__getitem__" and first == code.co_firstlineno:
            rets = [n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None
                    and n.lineno == n.end_lineno]
            return path, rets
    return None, []


def _resized(text: str, f: str, size: int, mode: str) -> str:
    align = ", align_corners=False" if mode == "bilinear" else ""
    return f"{f}.interpolate({text}[None], size=({size}, {size}), mode='{mode}'{align})[0]"


def resize_samples(ctx: Context, site: Site):
    info = site.loader
    ev = ctx.ev
    if info is None or ev is None or ev.name != "stack" or not _EQUAL.search(ctx.crash.msg) \
            or not _in_collate(ctx.crash):
        return
    size = common_size([tuple(t.shape) for t in ev.activations if t.known])
    loader = info.loader() if callable(info.loader) else None
    dataset = getattr(loader, "dataset", None) or _fetched_dataset(ctx.crash)
    if size is None or dataset is None:
        return
    path, rets = _getitem_returns(dataset)
    f = edits.imports_functional_as(path) if path else ""
    for ret in rets:
        line = edits.load(path).lines[ret.lineno - 1]
        parts = ret.value.elts if isinstance(ret.value, ast.Tuple) else [ret.value]
        texts = [line[p.col_offset:p.end_col_offset] for p in parts]
        options = [[_resized(texts[0], f, size, "bilinear")] + texts[1:]]
        if len(parts) > 1:
            options.insert(0, [_resized(texts[0], f, size, "bilinear")] +
                           [_resized(t, f, size, "nearest") for t in texts[1:]])
        for k, new_parts in enumerate(options):
            body = ", ".join(new_parts)
            start, end = ret.value.col_offset, ret.value.end_col_offset
            new = line[:start] + body + line[end:]
            fix = Fix(path, ret.lineno, line, new)
            why = (f"the samples have different sizes ({', '.join(str(list(t.shape)) for t in ev.activations[:3])}…), "
                   f"so the default collate cannot stack them: resize each to {size}×{size} in __getitem__"
                   + (" (masks by nearest neighbour)" if k == 0 and len(parts) > 1 else ""))
            at = Site("operand", path, ret.lineno, "returns one sample to the DataLoader (__getitem__)",
                      loader=info, depth=1, source="producer")
            yield Candidate((fix,), "resize_samples", "data", at, why, RESIZE_PRIOR - 0.5 * k)
