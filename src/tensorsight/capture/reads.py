"""Reads of tensor values while recording: Python branching on data.

``if mask.any():``, ``.item()``, ``.tolist()``, ``int(t)``, ``lengths.cpu()``: on a real run the
value is there; on meta or fake twins the oracle (capture.values) computes it for real. Either
way the read becomes an event marked ``data-dependent`` and the trace lists, in
``trace.assumed``, the value taken and what it rests on (the user's tensors or zeros).
A mixin of the Recorder, kept apart from its hot path.
"""
from __future__ import annotations

import weakref

import torch

from .events import OpEvent, TensorMeta
from .source import user_frame
from .walk import _walk_tensors


class ValueReads:
    def _answer(self, func, t):
        """(value, assumption) of ``func(t)`` for a meta/fake ``t``, or (None, None)."""
        if self.oracle is None or not isinstance(t, torch.Tensor) or not _is_twin(t):
            return None, None
        self.depth += 1
        try:
            value, ans = self.oracle.answer(func, t)
        finally:
            self.depth -= 1
        return (value, ans.assumption()) if ans is not None else (None, None)

    def _value_read(self, func, args, kwargs):
        t = args[0] if args else None
        value, assumed = self._answer(func, t)
        if assumed is None:
            value = func(*args, **kwargs)
            assumed = self._basis(t)
        if len(self.trace.events) < self.max_events and isinstance(t, torch.Tensor):
            fr = user_frame(2)
            index = len(self.trace.events)
            event = OpEvent(index=index, op=f"Tensor.{func.__name__}", inputs=[self.meta(t)],
                            outputs=[TensorMeta((), _scalar_dtype(value), "scalar")],
                            module=self.module_path,
                            module_type=type(self._stack[-1][0]).__name__ if self._stack else "",
                            where=fr, stack=(fr,) if fr is not None else (), note="data-dependent")
            self.trace.events.append(event)
            self._assume(event, value, assumed)
        return value

    def _item(self, func, args, kwargs, event):
        """``.item()`` of a twin is the value computed for real (an unbacked symbol would end the
        trace at the first ``int()``, ``range()`` or numpy call on it)."""
        t = args[0]
        value, assumed = self._answer(func, t)
        if assumed is None:  # a real tensor: its own value
            out = func(*args, **kwargs)
            if not isinstance(out, (torch.SymInt, torch.SymFloat, torch.SymBool)):
                event.note = "data-dependent"
                self._assume(event, out, self._basis(t))
            return out
        out = value  # a plain number: numpy, range() and int() take it as the real run's
        event.note = "data-dependent"
        self._assume(event, value, assumed)
        return out

    def _mark_made_up(self, t) -> None:
        self.made_up[id(t)] = weakref.ref(t)

    def _from_made_up(self, value) -> bool:
        found = [False]

        def check(t):
            ref = self.made_up.get(id(t))
            if ref is not None and ref() is t:
                found[0] = True
        _walk(value, check)
        return found[0]

    def _args_made_up(self, args: tuple, kwargs: dict) -> bool:
        """``_from_made_up((args, kwargs))`` for an op's arguments, with the common case (plain
        tensors and numbers as positional arguments) looked up without walking."""
        made = self.made_up
        for a in args:
            if isinstance(a, torch.Tensor):
                ref = made.get(id(a))
                if ref is not None and ref() is a:
                    return True
            elif type(a) not in _PLAIN_ARGS and self._from_made_up(a):
                return True
        return bool(kwargs) and self._from_made_up(kwargs)

    def _mark_outputs_made_up(self, out) -> None:
        if isinstance(out, torch.Tensor):
            self.made_up[id(out)] = weakref.ref(out)
        else:
            _walk_tensors(out, self._mark_made_up)

    def _basis(self, t) -> str:
        """What a value read on a real run rests on."""
        if self.made_up is not None and self._from_made_up(t):
            return "computed on zero inputs"
        return "from your values"

    def _to_host(self, func, args, kwargs, event):
        """``lengths.cpu()`` of a meta twin (pack_padded_sequence wants real lengths): the value
        computed for real, on the CPU."""
        self.depth += 1
        try:
            ans = self.oracle.real(args[0])
        finally:
            self.depth -= 1
        if ans is None:
            return func(*args, **kwargs)
        event.note = "data-dependent"
        value = ans.value.detach().clone()
        self._assume(event, f"{str(value.dtype).removeprefix('torch.')}{list(value.shape)}", ans.assumption())
        return value

    def _assume(self, event, value, assumed: str) -> None:
        text = repr(value)
        if len(text) > 60:
            text = text[:57] + "..."
        where = f" at {event.where}" if event.where is not None else ""
        self.trace.assumed.append(f"#{event.index} {event.op}{where} = {text}: {assumed}")


_TO_HOST = {torch.Tensor.cpu, torch.Tensor.to}
_PLAIN_ARGS = frozenset({int, float, bool, str, type(None), slice, torch.dtype, torch.device})


def _copies_out_of_meta(func, args, kwargs) -> bool:
    """``t.cpu()`` / ``t.to("cpu")`` of a meta tensor (which has no data to copy)."""
    t = args[0] if args else None
    if not isinstance(t, torch.Tensor) or t.device.type != "meta":
        return False
    if func is torch.Tensor.cpu:
        return True
    target = kwargs.get("device", args[1] if len(args) > 1 else None)
    return isinstance(target, (str, torch.device)) and str(target).startswith("cpu")


def _is_twin(t) -> bool:
    return t.device.type == "meta" or _is_fake(t)


def _is_fake(t) -> bool:
    return type(t).__name__ == "FakeTensor"



def _scalar_dtype(value) -> str:
    return {bool: "bool", int: "int64", float: "float64"}.get(type(value), type(value).__name__)


_walk = _walk_tensors
