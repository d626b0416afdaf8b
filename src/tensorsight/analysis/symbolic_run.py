"""One forward pass on fake tensors whose named sizes are symbols of torch's ShapeEnv.

Each named size (N, H, W...) becomes an *unbacked* SymInt: torch then has no number to peek at,
so it records every condition the forward needs as a runtime assert (``torch._check``: conv
needs H ≥ 3, Linear needs 16·⌊…⌋·⌊…⌋ = 576) instead of specialising on an example size, and
takes the general path wherever it can (no guards on contiguity or broadcasting of size 1).
Where code truly branches on a size (``if x.size(2) > 100``, BatchNorm refusing a single value
per channel), torch asks for a value: it gets the *hint* (an example size) and the branch taken
is recorded as a 'path' condition. ``solve`` explores other hints where those matter.

Sizes that come from data (``nonzero``, boolean masks, ``.item()``) are unbacked symbols we did
not make: they are reported as data-dependent, naming the op that made them.
"""
from __future__ import annotations

import contextlib
import inspect
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import sympy
import torch
from torch.fx.experimental.symbolic_shapes import ShapeEnv
from torch.overrides import TorchFunctionMode

from ..capture.events import OpEvent, Trace
from ..capture.inputs import as_spec, normalize_example
from ..capture.recorder import Recorder
from ..errors import ForwardError, TensorsightError
from ..shapes import ShapeSpec
from .symbolic_formula import user_symbol

BATCH_NAMES = frozenset({"N", "B", "n", "b", "batch", "Batch", "BS", "bs", "batch_size"})
# example sizes tried for named dimensions (the batch gets 2)
HINTS = (64, 32, 224, 128, 100, 28, 256, 48)
_TORCH_SYMBOL = re.compile(r"\b(?:u|zuf|s)\d+\b")
# torch functions whose size branch is a validity check: `if <cond>: raise`
_CHECK_FUNCS = frozenset({"_verify_batch_size", "_verify_spatial_size"})


@dataclass
class Condition:
    """Something the forward needs of the sizes, in the user's symbols."""
    expr: Any              # sympy boolean
    kind: str              # 'check': must hold, else the op fails; 'path': the branch taken here
    event: int | None      # index of the op that asked (None: the input itself)
    message: str = ""
    origin: str = ""       # innermost torch function that asked


@dataclass
class SymbolicRun:
    trace: Trace                       # raw trace: dims are ints or torch's strings (u0, ...)
    names: list[str]                   # the named sizes, in order of appearance
    symbols: dict[str, sympy.Symbol]   # name -> user symbol
    hints: dict[str, int]
    conditions: list[Condition]
    exprs: dict[str, Any]              # torch's size text -> formula in user symbols
    places: dict[str, str]             # name -> where it appears ('x.shape[2]')
    error: ForwardError | None = None
    data_dependent: OpEvent | None = None
    specialized: bool = False          # an op turned a named size into a plain number
    dispatcher: bool = False
    seconds: float = 0.0
    rename: dict[str, str] = field(default_factory=dict)  # torch symbol name -> user name
    model: Any = field(default=None, repr=False)           # the model traced (lazy layers sized)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    def expr(self, dim):
        """A recorded size (int or torch's text) as a formula in the user's symbols."""
        if isinstance(dim, int):
            return sympy.Integer(dim)
        hit = self.exprs.get(dim)
        if hit is None:
            hit = self._parse(dim)
            self.exprs[dim] = hit
        return hit

    def _parse(self, text: str):
        from torch.utils._sympy.functions import FloorDiv, Mod, PythonMod, CleanDiv, Max, Min
        ns = {name: user_symbol(user) for name, user in self.rename.items()}
        ns.update(FloorDiv=FloorDiv, Mod=Mod, PythonMod=PythonMod, CleanDiv=CleanDiv, Max=Max, Min=Min)
        try:
            return sympy.sympify(text, locals=ns)
        except Exception:  # noqa: BLE001 - not a formula: keep the text, names put back
            return sympy.Symbol(self.user_text(text))

    def user_text(self, text: str) -> str:
        """torch's symbol names in a message replaced by the user's names."""
        return _TORCH_SYMBOL.sub(lambda m: self.rename.get(m.group(0), m.group(0)), text)

    def path(self) -> list[Condition]:
        """Branches taken for the example sizes (not those taken while the failing op raised:
        formatting its error message turns sizes into numbers, which decides nothing)."""
        failing = self.trace.events[-1].index if self.error is not None and self.trace.events else None
        return [c for c in self.conditions if c.kind == "path" and (failing is None or c.event != failing)]

    def checks(self) -> list[Condition]:
        return [c for c in self.conditions if c.kind == "check"]


# -- the input spec --------------------------------------------------------------------------------
def input_specs(example, kwargs: dict | None, model=None) -> tuple[list[str], dict[str, str]]:
    """Named sizes of the example and keyword inputs, and where each first appears."""
    names: list[str] = []
    places: dict[str, str] = {}
    params = _forward_params(model)

    def visit(value, label: str):
        spec = as_spec(value) if not isinstance(value, torch.Tensor) else None
        if spec is not None:
            for i, d in enumerate(spec.dims):
                if isinstance(d, str) and d not in places:
                    names.append(d)
                    places[d] = f"{label}.shape[{i}]"
        elif isinstance(value, dict):
            for k, v in value.items():
                visit(v, f"{label}[{k!r}]")
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                visit(v, f"{label}[{i}]")

    for i, value in enumerate(normalize_example(example)):
        visit(value, params[i] if i < len(params) else f"input {i}")
    for k, v in (kwargs or {}).items():
        visit(v, k)
    return names, places


def _forward_params(model) -> list[str]:
    fn = getattr(model, "forward", model)
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def concrete_example(example, kwargs: dict | None, sizes: dict[str, int]):
    """The example and keyword inputs with every name replaced by its size."""
    def conc(v):
        sp = as_spec(v) if isinstance(v, (str, ShapeSpec)) else None
        if sp is not None:
            return ShapeSpec(tuple(sizes.get(d, d) if isinstance(d, str) else d for d in sp.dims), sp.dtype)
        if isinstance(v, dict):
            return {k: conc(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)) and not all(isinstance(d, int) for d in v):
            return type(v)(conc(x) for x in v)
        return v
    return conc(example), {k: conc(v) for k, v in (kwargs or {}).items()}


def without_lazy(model, example, kwargs, hints: dict[str, int]):
    """(model, note): lazy layers take their sizes from a first input; here, the example sizes."""
    from ..capture import fake
    if not isinstance(model, torch.nn.Module) or not fake._has_lazy(model):
        return model, ""
    ex, kw = concrete_example(example, kwargs, hints)
    try:
        model = fake.materialize_lazy(model, normalize_example(ex), kw)
    except Exception as exc:  # noqa: BLE001
        raise TensorsightError(
            f"the model has lazy layers, sized by their first input, and a first forward with "
            f"{', '.join(f'{k}={v}' for k, v in hints.items())} failed ({exc}); run the model once "
            f"on an example before asking for formulas") from None
    sizes = ", ".join(f"{k}={v}" for k, v in hints.items())
    return model, f"lazy layers were sized by a first input with {sizes}"


def default_hints(names: list[str], attempt: int = 0) -> dict[str, int]:
    return {n: 2 if n in BATCH_NAMES else HINTS[attempt % len(HINTS)] for n in names}


# -- torch hooks -----------------------------------------------------------------------------------
_REC_CODE = Recorder.__torch_function__.__code__


def _context() -> tuple[OpEvent | None, list[str]]:
    """The op the recorder is running now, and the functions between it and here."""
    f = sys._getframe(2)
    funcs: list[str] = []
    while f is not None:
        if f.f_code is _REC_CODE:
            return f.f_locals.get("event"), funcs
        funcs.append(f.f_code.co_name)
        f = f.f_back
    return None, funcs


class _Env(ShapeEnv):
    """A ShapeEnv that remembers which op asked for each runtime assert."""

    def __init__(self):
        super().__init__(duck_shape=False)
        self.ts_asked: list[tuple[Any, str, OpEvent | None, list[str]]] = []
        self.ts_specialized = False
        self.ts_phase = ""   # 'input' while the input's own conditions (size ≥ 1) are made

    def guard_or_defer_runtime_assert(self, orig_expr, msg, fx_node=None):
        before = self.num_deferred_runtime_asserts
        result = super().guard_or_defer_runtime_assert(orig_expr, msg, fx_node)
        if self.num_deferred_runtime_asserts > before:
            event, funcs = (None, ["input"]) if self.ts_phase == "input" else _context()
            self.ts_asked.append((orig_expr, msg, event, funcs))
            text = str(msg)
            if text.startswith("propagate_real_tensors") and not text.endswith(("True", "False")):
                self.ts_specialized = True  # guard_int: a size became a Python int
        return result

    def _log_real_tensor_propagation(self, orig_expr, unsound_result) -> None:
        pass  # we asked for it: no warning


class _Helper(TorchFunctionMode):
    """Under the recorder: keeps each size's formula and routes ops that would specialise."""

    def __init__(self):
        super().__init__()
        self.nodes: dict[int, Any] = {}   # id(SymNode) -> SymNode, texts made at the end

    def note(self, value, depth: int = 0):
        if isinstance(value, torch.SymInt):
            self.nodes[id(value.node)] = value.node
        elif isinstance(value, torch.Tensor):
            try:
                for d in value.shape:
                    if isinstance(d, torch.SymInt):
                        self.nodes[id(d.node)] = d.node
            except Exception:  # noqa: BLE001 - sizes not readable: skip
                pass
        elif depth < 3 and isinstance(value, (list, tuple)):
            for v in value:
                self.note(v, depth + 1)
        elif depth < 3 and isinstance(value, dict):
            for v in value.values():
                self.note(v, depth + 1)

    def _note_sizes(self, value, depth: int = 0):
        """SymInts passed as arguments (view(-1, n)): tensors' sizes were noted where made."""
        if isinstance(value, torch.SymInt):
            self.nodes[id(value.node)] = value.node
        elif depth < 2 and isinstance(value, (list, tuple)):
            for v in value:
                self._note_sizes(v, depth + 1)

    def exprs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen = set()
        for node in self.nodes.values():
            e = node.expr
            if e in seen:
                continue
            seen.add(e)
            out.setdefault(str(e), e)
        return out

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        for a in args:
            self._note_sizes(a)
        name = getattr(func, "__name__", "")
        special = _SPECIAL.get(name)
        out = special(args, kwargs, name) if special is not None else None
        if out is None:
            out = func(*args, **kwargs)
        self.note(out)
        return out


def _pointwise(args, kwargs, name):
    """Activations and dropout keep the shape: skip their (slow, symbolic) elementwise maths."""
    x = args[0] if args else kwargs.get("input")
    if not isinstance(x, torch.Tensor) or any(isinstance(a, torch.Tensor) for a in args[1:]) \
            or any(isinstance(v, torch.Tensor) for v in kwargs.values()):
        return None
    if name.endswith("_") or kwargs.get("inplace") is True or (
            name in _INPLACE_POS and len(args) > _INPLACE_POS[name] and args[_INPLACE_POS[name]] is True):
        return x
    return x.detach()  # a new tensor of the same sizes, the cheapest to make


_INPLACE_POS = {"relu": 1, "dropout": 3, "dropout1d": 3, "dropout2d": 3, "dropout3d": 3,
                "alpha_dropout": 3, "feature_alpha_dropout": 3, "leaky_relu": 2, "elu": 2,
                "selu": 1, "celu": 2, "relu6": 1, "hardtanh": 3, "hardswish": 1, "hardsigmoid": 1,
                "silu": 1, "mish": 1}


def _batch_norm(args, kwargs, name):
    """F.batch_norm's checks (one value per channel in training, sizes of the statistics), no maths."""
    if name != "batch_norm" or not args or not isinstance(args[0], torch.Tensor):
        return None
    names = ("input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps")
    bound = dict(zip(names, args))
    bound.update(kwargs)
    x = bound["input"]
    if not all(k in names for k in bound):
        return None
    if bound.get("training", False):
        torch.nn.functional._verify_batch_size(x.size())
    if x.dim() < 2:
        return None
    c = x.shape[1]
    for key in ("running_mean", "running_var", "weight", "bias"):
        t = bound.get(key)
        if t is not None:
            torch._check(t.numel() == c, lambda key=key, t=t: f"{key} should contain {c} elements not {t.numel()}")
    return x.detach()  # a new tensor of the same sizes, the cheapest to make


def _max_pool1d(args, kwargs, name):
    """max_pool1d through max_pool2d: aten's 1-d pooling turns sizes into Python ints."""
    names = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
    bound = dict(zip(names, args))
    bound.update(kwargs)
    x = bound["input"]

    def one(v, default):
        if v is None or (isinstance(v, (list, tuple)) and len(v) == 0):
            return default
        return v[0] if isinstance(v, (list, tuple)) else v

    k = one(bound.get("kernel_size"), 1)
    s = one(bound.get("stride"), k)
    p = one(bound.get("padding", 0), 0)
    d = one(bound.get("dilation", 1), 1)
    indices = bool(bound.get("return_indices", False)) or "with_indices" in name
    out = torch.nn.functional.max_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d),
                                         ceil_mode=bool(bound.get("ceil_mode", False)),
                                         return_indices=indices)
    if indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


_SPECIAL = {n: _pointwise for n in (
    "relu", "relu_", "gelu", "silu", "sigmoid", "sigmoid_", "tanh", "tanh_", "dropout",
    "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout", "leaky_relu",
    "leaky_relu_", "elu", "elu_", "selu", "celu", "relu6", "hardtanh", "hardtanh_", "hardswish",
    "hardsigmoid", "mish", "softplus", "softsign", "tanhshrink", "logsigmoid", "rrelu")}
_SPECIAL.update({n: _max_pool1d for n in ("max_pool1d", "_max_pool1d", "max_pool1d_with_indices",
                                          "_max_pool1d_with_indices")})
_SPECIAL["batch_norm"] = _batch_norm


@contextlib.contextmanager
def _quiet():
    names = ("torch.fx.experimental.symbolic_shapes", "torch._subclasses.fake_tensor",
             "torch.fx.experimental.recording")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


# -- the run ---------------------------------------------------------------------------------------
def run(model, example, kwargs: dict | None = None, hints: dict[str, int] | None = None,
        dispatcher: bool | None = None) -> SymbolicRun:
    """Trace ``model`` once with the named sizes as symbols (``hints`` give example values).

    ``dispatcher``: run torch's Python decompositions (slower, but pad, interpolate, RNNs and the
    like keep symbolic sizes). ``None`` tries without first and again with them when an op
    turned a size into a plain number or the forward failed.
    """
    if dispatcher is None:
        first = _run(model, example, kwargs, hints, False)
        if first.data_dependent is None and (first.specialized or first.error is not None):
            return _run(model, example, kwargs, hints, True)
        return first
    return _run(model, example, kwargs, hints, dispatcher)


def _run(model, example, kwargs, hints, dispatcher: bool) -> SymbolicRun:
    from torch._dispatch.python import enable_python_dispatcher

    from ..capture.fake import new_fake_mode, trace

    t0 = time.perf_counter()
    names, places = input_specs(example, kwargs, model)
    hints = {**default_hints(names), **(hints or {})}
    env = _Env()
    mode = new_fake_mode(env)
    created: dict[str, torch.SymInt] = {}
    created_syms: dict[str, Any] = {}  # name -> torch's symbol, as made (before any replacement)

    def make_input(fake_mode, spec: ShapeSpec):
        dims = []
        for d in spec.dims:
            if isinstance(d, str):
                if d not in created:
                    s = env.create_unbacked_symint()
                    env.set_real_tensor_prop_unbacked_vals(s.node.expr, int(hints[d]))
                    created_syms[d] = s.node.expr
                    env.ts_phase = "input"
                    torch._check(s >= 1)
                    env.ts_phase = ""
                    created[d] = s
                    helper.note(s)
                dims.append(created[d])
            else:
                dims.append(d)
        dtype = getattr(torch, spec.dtype)
        with fake_mode:
            return torch.empty(dims, dtype=dtype)

    helper = _Helper()
    error = None
    with _quiet(), (enable_python_dispatcher() if dispatcher else contextlib.nullcontext()), helper:
        try:
            raw = trace(model, example, kwargs=kwargs, fake_mode=mode, make_input=make_input)
        except ForwardError as exc:
            error = exc
            raw = exc.trace or Trace()

    torch_to_user = {sym: user_symbol(n) for n, sym in created_syms.items()}
    rename = {str(sym): n for n, sym in created_syms.items()}
    exprs = {}
    for text, e in helper.exprs().items():
        exprs[text] = e.xreplace(torch_to_user) if isinstance(e, sympy.Basic) else e
    for n, sym in created_syms.items():
        exprs.setdefault(str(sym), user_symbol(n))

    conditions: list[Condition] = []
    for expr, msg, event, funcs in env.ts_asked:
        if not isinstance(expr, sympy.Basic):
            continue
        user = expr.xreplace(torch_to_user)
        if user is sympy.true:
            continue
        kind = "path" if str(msg).startswith("propagate_real_tensors") else "check"
        origin = "input" if funcs == ["input"] else next(
            (f for f in funcs if not f.startswith("_") or f in _CHECK_FUNCS), funcs[0] if funcs else "")
        if kind == "path" and any(f in _CHECK_FUNCS for f in funcs):
            kind = "check"
            origin = next(f for f in funcs if f in _CHECK_FUNCS)
        index = event.index if event is not None else None
        conditions.append(Condition(user, kind, index, str(msg), origin))
    result = SymbolicRun(trace=raw, names=names, symbols={n: user_symbol(n) for n in names},
                         hints=hints, conditions=conditions, exprs=exprs, places=places,
                         error=error, rename=rename)
    result.specialized = env.ts_specialized
    result.dispatcher = dispatcher
    result.data_dependent = _data_dependent_op(result, set(rename))
    result.seconds = time.perf_counter() - t0
    return result


def _data_dependent_op(run: SymbolicRun, ours: set[str]) -> OpEvent | None:
    """The first op whose output size (or value) comes from tensor data, not from input sizes."""
    for e in run.trace.events:
        for m in e.outputs:
            for d in m.shape:
                if isinstance(d, str) and any(t not in ours for t in _TORCH_SYMBOL.findall(d)):
                    return e
        if e.note == "data-dependent":
            return e
    if run.error is not None:
        text = str(run.error)
        orig = getattr(run.error, "original", None)
        if type(orig).__name__ in ("GuardOnDataDependentSymNode", "DataDependentOutputException",
                                   "DynamicOutputShapeException") or "data-dependent" in text:
            syms = set(_TORCH_SYMBOL.findall(text)) - ours
            if syms or not run.trace.events:
                return run.trace.events[-1] if run.trace.events else None
    return None


def where_text(frame) -> str:
    """'lenet.py:14', relative to the working directory when inside it."""
    import os
    if frame is None:
        return ""
    f = frame.file
    if os.path.isabs(f):
        rel = os.path.relpath(f)
        f = f if rel.startswith("..") else rel
    return f"{f}:{frame.line}"


def data_dependent_error(run: SymbolicRun) -> TensorsightError:
    e = run.data_dependent
    where = f" at {where_text(e.where)}" if e is not None and e.where else ""
    code = f" (`{e.where.code}`)" if e is not None and e.where and e.where.code else ""
    op = e.op if e is not None else "an op"
    mod = f" in {e.module}" if e is not None and e.module else ""
    return TensorsightError(
        f"the sizes of this model depend on tensor values, not only on the input sizes: "
        f"{op}{mod}{where}{code} makes a size that depends on the data (like nonzero, a boolean "
        f"mask or .item()), so it has no formula in {', '.join(run.names) or 'the input sizes'}")
