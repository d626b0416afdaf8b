"""Values for the data-dependent reads of a meta or fake trace.

A fake or meta tensor has a shape but no values, so ``if mask.any():``, ``.item()``,
``int(t)``, ``.tolist()``, ``torch.isfinite(x).all()`` or a distribution's argument check would
end the trace. The oracle answers them instead: it remembers which call produced each tensor
and computes the value asked for *for real*, replaying those calls on real tensors — the user's
own values where the user passed real tensors (and small real weights), zeros of the same shape
for everything else (made-up inputs, large or meta weights, large activations). Each answer is
marked on the trace with what it assumed, so a branch taken on data is never silent.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import torch
from torch._subclasses.fake_tensor import unset_fake_temporarily
from torch.utils._pytree import tree_flatten, tree_map

MAX_REPLAY_NUMEL = 1 << 20   # a tensor larger than this is taken as zeros, not recomputed
MAX_REPLAY_OPS = 400         # calls replayed for one value at most
MAX_REPLAY_DEPTH = 40        # producers followed back from one tensor (deeper ones: zeros)
MAX_KNOWN_NUMEL = 1 << 20    # user tensors (inputs, weights) whose values are used as they are
MAX_ZEROS_NUMEL = 1 << 26    # beyond this a value is not computed at all


@dataclass
class Answer:
    value: object
    zeros: list[str] = field(default_factory=list)   # the tensors taken as zeros, e.g. 'f32[2,16,32]'
    real: bool = True                                  # False: no value could be computed

    def assumption(self) -> str:
        if not self.zeros:
            return "computed from your values"
        shown = ", ".join(dict.fromkeys(self.zeros))
        return f"computed for real with zeros for {shown}"


class ValueOracle:
    def __init__(self):
        self._known: dict[int, tuple[weakref.ref, torch.Tensor]] = {}
        self._calls: dict[int, tuple[weakref.ref, object, tuple, dict, int]] = {}
        # in-place updates of a tensor after it was made (``mask[i, j] = 1``, ``x.add_(1)``)
        self._updates: dict[int, tuple[weakref.ref, list]] = {}

    def know(self, twin: torch.Tensor, real: torch.Tensor) -> None:
        """``twin`` (meta/fake) stands for the real tensor ``real``."""
        from torch.nn.parameter import UninitializedTensorMixin
        if isinstance(real, UninitializedTensorMixin):
            return
        if real.device.type != "meta" and not _is_fake(real) and real.numel() <= MAX_KNOWN_NUMEL:
            self._known[id(twin)] = (weakref.ref(twin), real)

    def produced(self, func, args, kwargs, out) -> None:
        """``out`` came from ``func(*args, **kwargs)`` (or ``func`` updated ``args[0]`` in place).

        Called for every op of a trace: only the call is remembered (no flattening, no copies);
        the work of replaying it waits until a value is read."""
        target = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if target is not None and (out is None or out is target):
            if _in_place(func):
                entry = self._updates.get(id(target))
                if entry is None or entry[0]() is not target:
                    entry = (weakref.ref(target), [])
                    self._updates[id(target)] = entry
                entry[1].append((func, args[1:], kwargs))
            return  # x.to(its own dtype), x.contiguous(): the same tensor, nothing new
        if isinstance(out, torch.Tensor):  # the common case: one new tensor
            if not _passed(out, args, kwargs):
                try:
                    self._calls[id(out)] = (weakref.ref(out), func, args, kwargs, 0)
                except TypeError:
                    pass
            return
        if out is None or type(out) in _PLAIN:
            return
        flat, _ = tree_flatten(out)
        for i, t in enumerate(flat):
            if isinstance(t, torch.Tensor) and not _passed(t, args, kwargs):  # broadcast_tensors hands inputs back
                try:
                    self._calls[id(t)] = (weakref.ref(t), func, args, kwargs, i)
                except TypeError:
                    pass

    # -- answers ---------------------------------------------------------------------------------
    def real(self, t: torch.Tensor) -> Answer | None:
        """``t``'s value, computed for real; None when its shape is not known."""
        zeros: list[str] = []
        budget = [MAX_REPLAY_OPS, {}]
        with unset_fake_temporarily(), torch.no_grad():
            try:
                value = self._real(t, zeros, budget, 0)
            except Exception:  # noqa: BLE001 - the replay itself failed: take zeros
                value = _zeros_like(t)
                zeros = [_label(t)]
        if value is None:
            return None
        return Answer(value, zeros)

    def _real(self, t: torch.Tensor, zeros: list, budget: list, depth: int):
        memo = budget[1] if len(budget) > 1 else None
        if memo is not None and id(t) in memo:
            return memo[id(t)][1]
        value = self._updated(t, zeros, budget, depth)
        if memo is not None:
            memo[id(t)] = (t, value)  # the tensor kept alive so its id stays its own
        return value

    def _updated(self, t: torch.Tensor, zeros: list, budget: list, depth: int):
        value = self._made(t, zeros, budget, depth)
        entry = self._updates.get(id(t))
        if value is None or entry is None or entry[0]() is not t:
            return value
        value = value.clone()
        for func, rest, kwargs in entry[1]:  # replay the in-place updates, in order
            budget[0] -= 1
            try:
                rrest, rkwargs = tree_map(lambda x: self._realize(x, zeros, budget, depth), (rest, kwargs))
            except _NoValue:
                return None
            func(value, *rrest, **rkwargs)
        return value

    def _realize(self, x, zeros, budget, depth):
        if isinstance(x, torch.Tensor):
            r = self._real(x, zeros, budget, depth + 1)
            if r is None:
                raise _NoValue
            return r
        if isinstance(x, torch.device) and x.type == "meta":
            return torch.device("cpu")
        return x

    def _made(self, t: torch.Tensor, zeros: list, budget: list, depth: int):
        known = self._known.get(id(t))
        if known is not None and known[0]() is t:
            return known[1]
        if t.device.type != "meta" and not _is_fake(t):
            return t
        call = self._calls.get(id(t))
        if call is not None and call[0]() is t and budget[0] > 0 and depth < MAX_REPLAY_DEPTH and _small(t):
            _, func, args, kwargs, index = call
            budget[0] -= 1

            try:
                rargs, rkwargs = tree_map(lambda x: self._realize(x, zeros, budget, depth), (args, kwargs))
            except _NoValue:
                return None
            if rkwargs.get("device") in ("meta", torch.device("meta")):
                rkwargs = {**rkwargs, "device": "cpu"}
            out = func(*rargs, **rkwargs)
            flat, _ = tree_flatten(out)
            if index < len(flat) and isinstance(flat[index], torch.Tensor):
                return flat[index]
        z = _zeros_like(t)
        if z is not None:
            zeros.append(_label(t))
        return z

    def answer(self, func, t: torch.Tensor):
        """(what ``func(t)`` returns for real, Answer) or (None, None)."""
        ans = self.real(t)
        if ans is None:
            return None, None
        with unset_fake_temporarily():
            v = ans.value.detach().cpu()
            ans.value = v.numpy() if func is torch.Tensor.numpy else func(v)
        return ans.value, ans

    def hint_unbacked(self, shape_env, out) -> None:
        """Sizes of ``out`` that come from data (nonzero, a mask) get their real value as the hint
        torch uses when Python later branches on them."""
        if shape_env is None:
            return
        for t in ((out,) if isinstance(out, torch.Tensor) else tree_flatten(out)[0]):
            if not isinstance(t, torch.Tensor) or all(type(d) is int for d in t.shape):
                continue
            syms = [(i, d) for i, d in enumerate(t.shape) if isinstance(d, torch.SymInt)
                    and d.node.expr.free_symbols and _unbacked(shape_env, d)]
            if not syms:
                continue
            ans = self.real(t)
            if ans is None or not isinstance(ans.value, torch.Tensor) or ans.value.dim() != t.dim():
                continue
            for i, d in syms:
                expr = d.node.expr
                if len(expr.free_symbols) == 1 and expr.is_Symbol:
                    shape_env.set_real_tensor_prop_unbacked_vals(expr, int(ans.value.shape[i]))


_IN_PLACE_DUNDERS = frozenset({"__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__",
                               "__ifloordiv__", "__imod__", "__ipow__", "__iand__", "__ior__", "__ixor__",
                               "__ilshift__", "__irshift__"})


_in_place_cache: dict = {}
_PLAIN = frozenset({int, float, bool, str, complex})


def _in_place(func) -> bool:
    hit = _in_place_cache.get(func)
    if hit is None:
        name = getattr(func, "__name__", "")
        hit = name in _IN_PLACE_DUNDERS or (name.endswith("_") and not name.endswith("__"))
        try:
            _in_place_cache[func] = hit
        except TypeError:
            pass
    return hit


def _passed(t, args, kwargs) -> bool:
    """Whether ``t`` is one of the call's own arguments (an op that hands an input back)."""
    for a in args:
        if a is t or (type(a) in (list, tuple) and any(x is t for x in a)):
            return True
    if kwargs:
        for a in kwargs.values():
            if a is t or (type(a) in (list, tuple) and any(x is t for x in a)):
                return True
    return False


class _NoValue(Exception):
    pass


def _unbacked(shape_env, d) -> bool:
    from torch.fx.experimental.symbolic_shapes import free_unbacked_symbols
    try:
        return bool(free_unbacked_symbols(d.node.expr))
    except Exception:  # noqa: BLE001
        return False


def _is_fake(t) -> bool:
    from torch._subclasses.fake_tensor import FakeTensor
    return isinstance(t, FakeTensor)


def _concrete(t) -> tuple[int, ...] | None:
    dims = []
    for d in t.shape:
        if isinstance(d, int):
            dims.append(d)
            continue
        expr = getattr(getattr(d, "node", None), "expr", None)
        if expr is None or not expr.is_number:
            return None
        dims.append(int(expr))
    return tuple(dims)


def _small(t) -> bool:
    dims = _concrete(t)
    if dims is None:
        return True  # a data-dependent size: the replay gives it
    return _numel(dims) <= MAX_REPLAY_NUMEL


def _numel(dims) -> int:
    n = 1
    for d in dims:
        n *= d
    return n


def _zeros_like(t):
    dims = _concrete(t)
    if dims is None or _numel(dims) > MAX_ZEROS_NUMEL:
        return None
    return torch.zeros(dims, dtype=t.dtype)


def _label(t) -> str:
    from ..shapes import fmt_shape
    dims = _concrete(t)
    return fmt_shape(dims if dims is not None else tuple(str(d) for d in t.shape), t.dtype)
