"""The rows and totals of a summary: one row per module call of a Trace (or per module when no
forward ran), the tree of calls, identical siblings collapsed, and the totals."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ..capture.events import TensorMeta, Trace
from ..shapes import fmt_shape
from .summary_memory import meta_bytes


@dataclass
class SummaryRow:
    """One module call (or ``count`` identical consecutive calls collapsed into one row).

    Numbers are for one call: params/trainable of the module (shared tensors counted once),
    flops and ``alloc_bytes`` of everything inside the call, ``output_bytes`` of its outputs.
    """
    path: str
    type: str
    depth: int
    name: str = ""                       # what the table shows: last path part, or '0-79'
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    params: int | None = None            # None: the module object could not be found
    trainable: int | None = None
    kernel: str = ""
    groups: int | None = None            # convolutions: groups
    flops: int = 0
    output_bytes: int | None = None
    alloc_bytes: int = 0
    count: int = 1                       # >1: identical consecutive sibling calls
    paths: list[str] = field(default_factory=list)  # every path a collapsed row stands for
    repeat: bool = False                 # this module was already called earlier (shared module)
    same_module: bool = False            # a collapsed row of one module called ``count`` times
    called: bool = True                  # False: a row of the parameter table (no forward ran)
    children: list["SummaryRow"] = field(default_factory=list, repr=False)

    @property
    def macs(self) -> int:
        """Multiply-adds (torchinfo's "Mult-Adds"): half the FLOPs."""
        return self.flops // 2

    def signature(self) -> tuple:
        return (self.type, tuple(self.inputs), tuple(self.outputs), self.params, self.trainable,
                self.flops, self.output_bytes, self.alloc_bytes, self.kernel, self.groups,
                tuple((c.count, c.signature()) for c in self.children))

    def to_dict(self) -> dict:
        return {k: (list(getattr(self, k)) if isinstance(getattr(self, k), list) else getattr(self, k))
                for k in self.__dataclass_fields__ if k != "children"}


def shapes(metas: list[TensorMeta]) -> list[str]:
    return [fmt_shape(m.shape, m.dtype) for m in metas if m.device != "scalar"]


def param_count(module: torch.nn.Module) -> tuple[int, int]:
    total = trainable = 0
    for p in module.parameters():  # deduplicated: a tied weight counts once
        n = _numel(p)
        total += n
        if p.requires_grad:
            trainable += n
    return total, trainable


def _numel(t: torch.Tensor) -> int:
    from torch.nn.parameter import UninitializedTensorMixin
    return 0 if isinstance(t, UninitializedTensorMixin) else t.numel()


def kernel(module) -> str:
    k = getattr(module, "kernel_size", None)
    if k is None:
        return ""
    if isinstance(k, int):
        return str(k)
    try:
        return "x".join(str(int(d)) for d in k)
    except (TypeError, ValueError):
        return str(k)


def groups(module) -> int | None:
    g = getattr(module, "groups", None)
    return g if isinstance(g, int) and not isinstance(g, bool) and hasattr(module, "weight") else None


def _subtree_params(mod: torch.nn.Module, memo: dict) -> dict:
    """id -> parameter of ``mod`` and everything under it (what ``mod.parameters()`` yields), each
    subtree walked once however many calls ask: a per-call ``parameters()`` walks it again."""
    hit = memo.get(id(mod))
    if hit is None:
        hit = {id(p): p for p in mod._parameters.values() if p is not None}
        for child in mod._modules.values():
            if child is not None:
                hit.update(_subtree_params(child, memo))
        memo[id(mod)] = hit
    return hit


def _module_info(mod, cache: dict, subtrees: dict) -> tuple:
    key = id(mod)
    if key not in cache:
        if mod is None:
            cache[key] = (None, None, "", None)
        else:
            total = trainable = 0
            for p in _subtree_params(mod, subtrees).values():
                n = _numel(p)
                total += n
                trainable += n if p.requires_grad else 0
            cache[key] = (total, trainable, kernel(mod), groups(mod))
    return cache[key]


def call_rows(model: torch.nn.Module, trace: Trace, flops: list[int], alloc: list[int]) -> list[SummaryRow]:
    """One row per module call of the trace, in call order."""
    objects = getattr(trace, "_modules", None) or {}
    cum_f = [0]
    cum_a = [0]
    for f, a in zip(flops, alloc):
        cum_f.append(cum_f[-1] + f)
        cum_a.append(cum_a[-1] + a)
    info: dict[int, tuple] = {}
    subtrees: dict[int, dict] = {}
    seen: set[int] = set()
    rows = []
    for call in trace.modules:
        ref = objects.get(call.path)
        mod = ref() if ref is not None else lookup(model, call.path)
        total, trainable, kern, grp = _module_info(mod, info, subtrees)
        key = id(mod) if mod is not None else id(call)
        end = min(call.end, len(flops))
        name = call.path.rsplit(".", 1)[-1] if call.path else call.type
        rows.append(SummaryRow(
            path=call.path, type=call.type, depth=call.depth, name=name,
            inputs=shapes(call.inputs), outputs=shapes(call.outputs), params=total,
            trainable=trainable, kernel=kern, groups=grp,
            flops=cum_f[end] - cum_f[min(call.start, end)],
            output_bytes=meta_bytes(call.outputs), alloc_bytes=cum_a[end] - cum_a[min(call.start, end)],
            repeat=key in seen))
        seen.add(key)
    return rows


def module_rows(model: torch.nn.Module) -> list[SummaryRow]:
    """The parameter table, one row per module (no forward ran): what torchinfo shows without an
    input."""
    info: dict[int, tuple] = {}
    subtrees: dict[int, dict] = {}
    rows = []
    for path, mod in model.named_modules():
        total, trainable, kern, grp = _module_info(mod, info, subtrees)
        rows.append(SummaryRow(path=path, type=type(mod).__name__, depth=path.count(".") + 1 if path else 0,
                               name=path.rsplit(".", 1)[-1] if path else type(mod).__name__,
                               params=total, trainable=trainable, kernel=kern, groups=grp,
                               output_bytes=None, called=False))
    return rows


def lookup(model: torch.nn.Module, path: str):
    if not path:
        return model
    try:
        return model.get_submodule(path)
    except AttributeError:
        return None


# -- the tree of calls, collapsing ---------------------------------------------------------------
def build_tree(rows: list[SummaryRow]) -> list[SummaryRow]:
    roots: list[SummaryRow] = []
    stack: list[SummaryRow] = []
    for r in rows:
        r.children = []
        while stack and stack[-1].depth >= r.depth:
            stack.pop()
        (stack[-1].children if stack else roots).append(r)
        stack.append(r)
    return roots


def copy_tree(roots: list[SummaryRow]) -> list[SummaryRow]:
    out = []
    for r in roots:
        c = object.__new__(SummaryRow)
        c.__dict__.update(r.__dict__)  # lists other than paths/children are never mutated
        c.children = copy_tree(r.children)
        c.paths = [r.path]
        out.append(c)
    return out


def collapse(siblings: list[SummaryRow], _sigs: dict | None = None) -> list[SummaryRow]:
    sigs = {} if _sigs is None else _sigs  # id(row) -> signature, computed once bottom-up

    def sig(r):
        key = id(r)
        if key not in sigs:
            sigs[key] = (r.type, tuple(r.inputs), tuple(r.outputs), r.params, r.trainable, r.flops,
                         r.output_bytes, r.alloc_bytes, r.kernel, r.groups,
                         tuple((c.count, sig(c)) for c in r.children))
        return sigs[key]

    out: list[SummaryRow] = []
    for r in siblings:
        r.children = collapse(r.children, sigs)
        prev = out[-1] if out else None
        if prev is not None and not prev.repeat and (not r.repeat or r.path == prev.path == prev.paths[-1]) \
                and sig(prev) == sig(r):
            prev.count += 1
            prev.paths.append(r.path)
            continue
        r.paths = [r.path]
        out.append(r)
    for r in out:
        if r.count > 1:
            sigs.pop(id(r), None)  # its count changed: a parent compares it afresh
        if r.count > 1 and len(set(r.paths)) == 1:
            r.same_module = True  # one module called N times in a row (shared weights)
        elif r.count > 1:
            r.name = _range_name(r.paths)
    return out


def _range_name(paths: list[str]) -> str:
    last = [p.rsplit(".", 1)[-1] for p in paths]
    if all(s.isdigit() for s in last) and [int(s) for s in last] == list(range(int(last[0]), int(last[0]) + len(last))):
        return f"{last[0]}-{last[-1]}"
    return f"{last[0]}..{last[-1]}"


def flatten(roots: list[SummaryRow], depth: int | None, hide_repeats: bool = False) -> list[SummaryRow]:
    out: list[SummaryRow] = []

    def walk(rs):
        for r in rs:
            if depth is None or r.depth <= depth:
                if not (hide_repeats and r.repeat):
                    out.append(r)
                walk(r.children)
    walk(roots)
    return out


# -- totals --------------------------------------------------------------------------------------
def param_totals(model: torch.nn.Module) -> dict:
    """Parameter and buffer counts and bytes, each tensor once (tied weights once)."""
    t = {"params": 0, "trainable": 0, "param_bytes": 0, "trainable_bytes": 0, "by_dtype": {}}
    for p in model.parameters():  # deduplicated by identity
        n = _numel(p)
        b = n * p.element_size()
        dt = str(p.dtype).removeprefix("torch.")
        t["by_dtype"][dt] = t["by_dtype"].get(dt, 0) + b
        t["params"] += n
        t["param_bytes"] += b
        if p.requires_grad:
            t["trainable"] += n
            t["trainable_bytes"] += b
    t["buffer_bytes"] = sum(_numel(b) * b.element_size() for b in model.buffers())
    return t


def uncalled(model: torch.nn.Module, trace: Trace) -> tuple[int, list[str]]:
    """Parameters no called module owns, and the modules that hold them. A tied weight owned by
    a called module (T5's ``shared`` and ``encoder.embed_tokens``) is used, whichever name the
    forward went through."""
    objects = getattr(trace, "_modules", None) or {}
    called_ids = set()
    for call in trace.modules:
        ref = objects.get(call.path)
        mod = ref() if ref is not None else lookup(model, call.path)
        if mod is not None:
            called_ids.add(id(mod))
    used: set[int] = set()
    owners: list[tuple[str, torch.nn.Module]] = list(model.named_modules(remove_duplicate=False))
    for _, mod in owners:
        if id(mod) in called_ids:
            used.update(id(p) for p in mod.parameters(recurse=False))
    count = 0
    names: list[str] = []
    counted: set[int] = set()
    for name, mod in owners:
        own = [p for p in mod.parameters(recurse=False) if id(p) not in used and id(p) not in counted]
        if own:
            names.append(name)
            for p in own:
                counted.add(id(p))
                count += _numel(p)
    return count, names
