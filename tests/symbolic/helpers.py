"""Shared by the symbolic tests: evaluate shown formulas, compare with concrete traces."""
from __future__ import annotations

import re

import tensorsight
from tensorsight.analysis.symbolic_formula import value
from tensorsight.errors import ForwardError


def eval_text(text, sizes: dict[str, int]) -> int:
    """The number a shown formula such as ``16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋`` stands for."""
    if isinstance(text, int):
        return text
    py = (text.replace("−", "-").replace("·", "*").replace("⌊", "((").replace("⌋", "))")
          .replace("/", "//").replace(" mod ", " % "))
    assert re.fullmatch(r"[\sA-Za-z_0-9+\-*/%(),]*", py), f"cannot evaluate {text!r} ({py!r})"
    return eval(py, {"__builtins__": {}, "max": max, "min": min}, dict(sizes))  # noqa: S307


def concrete(model, shape):
    """(events that ran, failed?) of a plain fake trace of ``model`` on ``shape``."""
    try:
        tr = tensorsight.trace(model, tuple(shape))
        return tr.events, False
    except ForwardError as exc:
        return exc.trace.events[:-1], True


def compare(sym_trace, model, sizes: dict[str, int], dims) -> tuple[int, bool]:
    """Every size of the symbolic trace, evaluated at ``sizes``, equals the concrete trace's.

    Returns how many ops were compared and whether the concrete forward failed.
    """
    shape = [sizes[d] if isinstance(d, str) else d for d in dims]
    events, failed = concrete(model, shape)
    info = sym_trace.symbolic_info
    assert len(events) <= len(sym_trace.events)
    for es, ec in zip(sym_trace.events, events):
        assert es.op == ec.op, (es.index, es.op, ec.op)
        assert len(es.outputs) == len(ec.outputs)
        for ms, mc in zip(es.outputs, ec.outputs):
            shown = tuple(eval_text(d, sizes) for d in ms.shape)
            assert shown == tuple(mc.shape), (es.index, es.op, ms.shape, sizes, mc.shape)
            from_formula = tuple(int(value(info.formula(d), sizes)) for d in ms.shape)
            assert from_formula == tuple(mc.shape), (es.index, es.op, ms.shape, sizes)
    return len(events), failed
