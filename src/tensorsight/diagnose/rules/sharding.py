"""Shape bugs that only exist once a model is sharded, read from ``event.dist``.

- a ``view`` written with a global size (the head count) applied to a rank's local shard;
- a size that does not divide over the mesh dimension it is sharded on (6 heads on 4 ranks);
- a placement mismatch: one layer's local shard handed to a layer that expects the whole tensor
  (two column-parallel layers in a row);
- an uneven shard: torch.chunk rounds the shard size up, so the last ranks hold less (or nothing).

Every message says which rank, the global and local shapes, the arithmetic, and a fix.
"""
from __future__ import annotations

import math
import os
import re

from ...capture.events import OpEvent, TensorMeta, Trace
from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding

_SHARD = re.compile(r"S\((-?\d+)(?:,\d+)?\)")


def shard_degree(event: OpEvent, placed) -> tuple[int, int] | None:
    """(tensor dim, number of shards) of a sharded DTensor operand, from its placements and mesh."""
    d = event.dist
    dims: dict[int, int] = {}
    for i, p in enumerate(placed.placements):
        m = _SHARD.fullmatch(p)
        if m and i < len(d.mesh):
            dim = int(m.group(1)) % max(len(placed.global_shape), 1)
            dims[dim] = dims.get(dim, 1) * d.mesh[i]
    for dim, n in dims.items():
        if n > 1:
            return dim, n
    return None


def mesh_dim_of(event: OpEvent, placed) -> str:
    for i, p in enumerate(placed.placements):
        if _SHARD.fullmatch(p) and i < len(event.dist.mesh_dims):
            return event.dist.mesh_dims[i]
    return ""


def sharded_origin(trace: Trace, meta: TensorMeta, limit: int = 12):
    """The op whose sharded DTensor output this (local) tensor comes from: (event, Placed)."""
    for _ in range(limit):
        if meta.producer is None or meta.producer >= len(trace.events):
            return None
        ev = trace.events[meta.producer]
        if ev.dist is not None:
            for p in ev.dist.outputs:
                if p is not None and p.sharded and shard_degree(ev, p):
                    return ev, p
        acts = ev.activations
        if not acts:
            return None
        meta = acts[0]
    return None


def chunk_sizes(size: int, n: int) -> list[int]:
    """What each of n ranks holds of ``size`` rows: torch.chunk's rounded-up shards."""
    c = -(-size // n)
    out = []
    left = size
    for _ in range(n):
        out.append(max(min(c, left), 0))
        left -= c
    return out


def _ints(values) -> list[int] | None:
    flat = []
    for v in values:
        if isinstance(v, (list, tuple)):
            flat.extend(v)
        else:
            flat.append(v)
    return flat if flat and all(isinstance(v, int) and not isinstance(v, bool) for v in flat) else None


def _where(ev: OpEvent) -> str:
    return f"{os.path.basename(ev.where.file)}:{ev.where.line}" if ev.where else ev.op


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


# -- crash rules -------------------------------------------------------------------------------
def view_of_local_shard(crash) -> list[Finding] | None:
    """A view/reshape on a rank's local shard that asks for the global size, or splits the
    sharded dim into groups that do not divide over the ranks."""
    ev = crash.failing
    if ev is None or ev.name not in ("view", "reshape") or not ev.inputs or "invalid for input" not in crash.msg:
        return None
    target = _ints(ev.args[1:]) or _ints([ev.kwargs.get("shape", ())])
    src = ev.inputs[0]
    if target is None or not src.known:
        return None
    origin = sharded_origin(crash.trace, src)
    if origin is None:
        return None
    prod_ev, placed = origin
    dim, n = shard_degree(prod_ev, placed)
    mesh_dim = mesh_dim_of(prod_ev, placed)
    rank = prod_ev.dist.rank
    local_n = src.numel
    g, loc = placed.global_shape[dim], placed.local_shape[dim]
    shard = (f"on rank {rank} it is the local shard {fmt_shape(src.shape)} = {local_n} values of "
             f"{prod_ev.module or prod_ev.op}'s output {fmt_shape(placed.global_shape)} "
             f"({'·'.join(placed.placements)}: dim {dim} split over {mesh_dim or 'the mesh'}={n}, {g}/{n} = {loc} per rank)")
    known = [t for t in target if t != -1]
    asked = math.prod(known)
    common = 0
    while common < min(len(target), len(src.shape)) and target[common] == src.shape[common]:
        common += 1
    if -1 not in target and asked == local_n * n:
        candidates = [i for i in range(common, len(target)) if target[i] % n == 0]
        if not candidates:
            return None
        i = candidates[0]
        local_target = list(target)
        local_target[i] = target[i] // n
        message = (f"{ev.op.rsplit('.', 1)[-1]}({', '.join(map(str, target))}) asks for {asked} values, the global size, "
                   f"but {shard}; size {target[i]} at position {i} is global: each rank holds "
                   f"{target[i]}/{n} = {target[i] // n}; let view infer it with -1 → {fmt_shape(tuple(local_target))}")
        fixes = None
        if ev.where is not None:
            fixes = edits.replace_arg(ev.where.file, ev.where.line, (ev.name,), i, None, "-1")
        return [crash.finding(ev.where, "sharded_view_global_size", message, fixes or [])]
    if asked and local_n % asked != 0:
        group = target[-1] if target[-1] != -1 else None
        if group and g % group == 0:
            groups = g // group
            message = (f"{ev.op.rsplit('.', 1)[-1]}({', '.join(map(str, target))}) cannot split the shard: {shard}; "
                       f"{loc} features are {loc}/{group} = {loc / group:g} groups of {group}: the {groups} groups "
                       f"({g}/{group}) do not divide over {n} ranks ({groups}/{n} = {groups / n:g}); use a "
                       f"{mesh_dim or 'mesh'} size that divides {groups} ({', '.join(map(str, _divisors(groups)))}) "
                       f"or a group count divisible by {n}")
        else:
            message = (f"{ev.op.rsplit('.', 1)[-1]}({', '.join(map(str, target))}) cannot view the shard: {shard}; "
                       f"{local_n} values are not a multiple of {asked}; {g} does not divide into groups of "
                       f"{group or asked} per rank over {n} ranks")
        return [crash.finding(ev.where, "shard_not_divisible", message, [])]
    return None


def local_shard_as_whole(crash) -> list[Finding] | None:
    """An op gets one layer's local shard where it needs the whole tensor (placement mismatch)."""
    ev = crash.failing
    if ev is None or not ev.inputs:
        return None
    act = ev.inputs[0]
    origin = sharded_origin(crash.trace, act)
    if origin is None:
        return None
    prod_ev, placed = origin
    if prod_ev.index == ev.index:
        return None
    dim, n = shard_degree(prod_ev, placed)
    local_dims = tuple(act.shape)
    if local_dims != tuple(placed.local_shape) or placed.global_shape[dim] == placed.local_shape[dim]:
        return None
    g, loc = placed.global_shape[dim], placed.local_shape[dim]
    wanted = [t for t in ev.inputs[1:] if t.known and g in t.shape and loc not in t.shape]
    if ev.dist is not None:  # the op's own operands as DTensors: a weight expecting the global size
        wanted += [TensorMeta(p.global_shape, "") for p in ev.dist.inputs[1:] if p is not None and g in p.global_shape]
    if not wanted:
        return None
    from ...capture.distributed import parallel_style
    rank = prod_ev.dist.rank
    mesh_dim = mesh_dim_of(prod_ev, placed)
    prod_style = _style_of(crash, prod_ev.module, parallel_style)
    here_style = _style_of(crash, ev.module, parallel_style)
    message = (f"{ev.op} {('in ' + ev.module + ' ') if ev.module else ''}gets the local shard of "
               f"{prod_ev.module or prod_ev.op}'s output ({_where(prod_ev)}): {fmt_shape(local_dims)} on rank {rank} of the "
               f"global {fmt_shape(placed.global_shape)} ({'·'.join(placed.placements)}: {g}/{n} = {loc} per rank over "
               f"{mesh_dim or 'the mesh'}), but needs the whole size {g} ({fmt_shape(wanted[0].shape)})")
    fixes: list = []
    if prod_style and prod_style[0] == "ColwiseParallel" and here_style and here_style[0] == "ColwiseParallel":
        message += (f"; a column-parallel layer's sharded output goes to a row-parallel one: make {ev.module} "
                    f"RowwiseParallel() (or give {prod_ev.module} ColwiseParallel(output_layouts=Replicate()), one all-gather more)")
        site = here_style[1]
        if site is not None:
            fixes = edits.replace_call(site.file, site.line, ("ColwiseParallel",), "RowwiseParallel({args})") or []
    else:
        message += (f"; bring the shard together first (redistribute to Replicate(), an all-gather of {g} along dim {dim}) "
                    f"or shard the consumer the same way")
    line = here_style[1] if fixes else ev.where
    return [crash.finding(line, "placement_mismatch", message, fixes)]


def uneven_shard_crash(crash) -> list[Finding] | None:
    """``from_local`` (a parallel style's input hook) takes every rank's shard to be the same
    size, so an uneven shard becomes a wrong global size on the next layer."""
    ev = crash.failing
    if ev is None or ev.dist is None or not ev.inputs:
        return None
    for meta, p in zip(ev.inputs, ev.dist.inputs):
        sd = shard_degree(ev, p) if p is not None else None
        origin = sharded_origin(crash.trace, meta) if sd is not None else None
        if origin is None:
            continue
        dim, n = sd
        prod_ev, src = origin
        src_sd = shard_degree(prod_ev, src)
        if src_sd is None:
            continue
        true_size = src.global_shape[src_sd[0]]
        if not isinstance(true_size, int) or true_size % n == 0 or p.global_shape[dim] == true_size:
            continue
        sizes = chunk_sizes(true_size, n)
        rank = ev.dist.rank
        up, down = -(-true_size // n) * n, true_size // n * n
        message = (f"{ev.op} {('in ' + ev.module + ' ') if ev.module else ''}sees a global size of "
                   f"{p.global_shape[dim]} where {prod_ev.module or prod_ev.op} ({_where(prod_ev)}) made {true_size}: "
                   f"{true_size} does not divide over {n} ranks, torch.chunk gives ranks "
                   f"{', '.join(map(str, sizes))}, and the input hook takes rank {rank}'s {p.local_shape[dim]} "
                   f"for every rank's: {p.local_shape[dim]}·{n} = {p.global_shape[dim]} ≠ {true_size}; use a size "
                   f"divisible by {n} ({down or up} or {up})")
        fixes = _round_literal(lambda path: _module_site(crash.watcher, path), prod_ev.module, true_size, up)
        return [crash.finding(prod_ev.where, "uneven_shard", message, fixes)]
    return None


def _module_site(watcher, path: str):
    module = watcher.module(path) if hasattr(watcher, "module") else None
    return watcher.site(module) if module is not None and hasattr(watcher, "site") else None


def _style_of(crash, path: str, lookup):
    module = crash.watcher.module(path) if hasattr(crash.watcher, "module") else None
    return lookup(module) if module is not None else None


CRASH_RULES = [view_of_local_shard, uneven_shard_crash, local_shard_as_whole]


def sharding_crash(crash) -> list[Finding] | None:
    """The crash rules of sharded programs; None at once for a program without DTensors."""
    if not any(e.dist is not None for e in crash.trace.events[-200:]):
        return None
    for rule in CRASH_RULES:
        out = rule(crash)
        if out:
            return out
    return None


# -- silent: uneven shards ---------------------------------------------------------------------
def uneven_shards(trace: Trace, modules=None) -> list[Finding]:
    """A parameter sharded on a size the mesh dimension does not divide: the last rank(s) hold
    less or nothing. One warning per module, at the line that runs it; the fix rounds the size
    up to a multiple when the module was built with that number as a literal."""
    out: list[Finding] = []
    seen: set[str] = set()
    for ev in trace.events:
        if ev.dist is None or ev.where is None:
            continue
        for meta, p in zip(ev.inputs, ev.dist.inputs):
            if p is None or meta.role not in ("weight", "bias") or ev.module in seen:
                continue
            sd = shard_degree(ev, p)
            if sd is None:
                continue
            dim, n = sd
            size = p.global_shape[dim]
            if not isinstance(size, int) or size % n == 0:
                continue
            seen.add(ev.module)
            sizes = chunk_sizes(size, n)
            c = sizes[0]
            short = [r for r, s in enumerate(sizes) if s < c]
            up = -(-size // n) * n
            down = size // n * n
            per_rank = f"ranks 0–{short[0] - 1} hold {c}" if short[0] > 1 else f"rank 0 holds {c}"
            rest = ", ".join(f"rank {r} holds {sizes[r]}" for r in short)
            message = (f"{ev.module or ev.op}'s {meta.role} {fmt_shape(p.global_shape)} is sharded on dim {dim} "
                       f"over {mesh_dim_of(ev, p) or 'the mesh'}={n}, but {size} = {n}·{size // n} + {size % n}: torch.chunk "
                       f"gives ⌈{size}/{n}⌉ = {c} per rank, so {per_rank} and {rest}; collectives pad the last "
                       f"shard and the ranks do unequal work; use a size divisible by {n} ({down or up} or {up})")
            fixes = _round_literal(modules, ev.module, size, up)
            out.append(Finding("warning", "uneven_shard", ev.where.file, ev.where.line, message, fixes))
    return out


def _round_literal(modules, path: str, size: int, new: int) -> list:
    """Fix the module's constructor where ``size`` was written as a literal."""
    site = modules(path) if modules is not None else None
    if site is None:
        return []
    for position in range(3):
        if edits.arg_text(site.file, site.line, (), position, None) == str(size):
            return edits.replace_arg(site.file, site.line, (), position, None, str(new)) or []
    return []
