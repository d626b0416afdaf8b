"""``tensorsight.summary``: a module table with output shapes, parameters, exact FLOPs and memory.

Everything comes from one forward pass on fake tensors (no weights read, no compute, the model
left untouched), so it works for meta-device models of any size, dict/kwargs/tuple inputs, token
ids, tuple outputs and lazy layers. While the recorder writes the Trace, a subclass of torch's own
``FlopCounterMode`` counts FLOPs op by op (the same registry and the same decompositions, so the
total equals FlopCounterMode on a real forward) and the bytes every op allocates, and attributes
both to each module call.

What is exact: parameter counts and bytes, buffer bytes, FLOPs (as torch.utils.flop_counter
defines them, plus formulas for two CPU kernels it counts as 0: attention and the fused LSTM,
see ``EXTRA_FLOP_FORMULAS``), the bytes of each module's outputs, and the bytes the forward's
ops allocate.
What is estimated: the training memory (parameters + gradients + optimizer state + activations
kept for backward, taken as everything the forward allocates).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from ..capture.events import TensorMeta, Trace
from ..errors import ForwardError, TensorsightError
from ..render.summary_table import COLUMNS, DEFAULT_COLUMNS  # noqa: F401 - re-exported
from ..render.summary_table import check_columns as _check_columns
from ..shapes import fmt_shape


def _mkldnn_rnn_layer_flop(input_shape, w_ih_shape, w_hh_shape, *args, out_shape=None, **kwargs) -> int:
    """One fused LSTM layer on CPU: the input and the hidden projections of every step (the
    same two matmuls a GRU's decomposition shows FlopCounterMode)."""
    steps = 1
    for d in input_shape[:-1]:
        steps *= d
    return 2 * steps * w_ih_shape[0] * w_ih_shape[1] + 2 * steps * w_hh_shape[0] * w_hh_shape[1]


def _extra_formulas() -> dict:
    """Formulas for CPU kernels torch.utils.flop_counter has none for (it counts them as 0):
    attention (``scaled_dot_product_attention`` on CPU) and the fused LSTM layer. Pass this as
    ``FlopCounterMode(custom_mapping=...)`` to count a real forward the same way."""
    from torch.utils.flop_counter import flop_registry, sdpa_flop_count

    def sdpa_flop(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
        return sdpa_flop_count(query_shape, key_shape, value_shape)  # as for CUDA's kernels

    aten = torch.ops.aten
    extra = {}
    for name, formula in (("_scaled_dot_product_flash_attention_for_cpu", sdpa_flop),
                          ("mkldnn_rnn_layer", _mkldnn_rnn_layer_flop)):
        packet = getattr(aten, name, None)
        if packet is not None and packet not in flop_registry:
            extra[packet] = formula
    return extra


EXTRA_FLOP_FORMULAS = _extra_formulas()
# optimizer -> state tensors per trainable parameter
OPTIMIZER_STATES = {"adam": 2, "adamw": 2, "sgd": 0, "momentum": 1, "rmsprop": 1, "adagrad": 1}


# -- data ------------------------------------------------------------------------------------
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
    flops: int = 0
    output_bytes: int | None = None
    alloc_bytes: int = 0
    count: int = 1                       # >1: identical consecutive sibling calls
    paths: list[str] = field(default_factory=list)  # every path a collapsed row stands for
    repeat: bool = False                 # this module was already called earlier (shared module)
    same_module: bool = False            # a collapsed row of one module called ``count`` times
    children: list["SummaryRow"] = field(default_factory=list, repr=False)

    def signature(self) -> tuple:
        return (self.type, tuple(self.inputs), tuple(self.outputs), self.params, self.trainable,
                self.flops, self.output_bytes, self.alloc_bytes, self.kernel,
                tuple((c.count, c.signature()) for c in self.children))

    def to_dict(self) -> dict:
        return {k: (list(getattr(self, k)) if isinstance(getattr(self, k), list) else getattr(self, k))
                for k in self.__dataclass_fields__ if k != "children"}


@dataclass
class Quantity:
    """A total, labelled exact or estimated."""
    key: str
    label: str
    value: int | None
    unit: str                 # 'params', 'bytes', 'flops', 'count'
    exact: bool
    note: str = ""


@dataclass
class Summary:
    model: str
    inputs: list[str]
    outputs: list[str]
    rows: list[SummaryRow]                 # what the table shows (depth and collapsing applied)
    calls: list[SummaryRow]                # every module call, in call order, nothing collapsed
    totals: list[Quantity]
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    depth: int | None = 3
    param_bytes_by_dtype: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    trace: Trace | None = field(default=None, repr=False)

    # -- queries -----------------------------------------------------------------------------
    def total(self, key: str, *default) -> int | None:
        """A total by key: params, trainable, non_trainable, uncalled_params, flops,
        flops_flopcounter, param_bytes, buffer_bytes, input_bytes, output_bytes, forward_bytes,
        training_bytes."""
        for q in self.totals:
            if q.key == key:
                return q.value
        if key == "flops_flopcounter":
            return self.total("flops")  # present only when it differs
        if key == "uncalled_params":
            return 0
        if default:
            return default[0]
        raise KeyError(key)

    @property
    def params(self) -> int:
        return self.total("params")

    @property
    def trainable_params(self) -> int:
        return self.total("trainable")

    @property
    def flops(self) -> int:
        return self.total("flops")

    def row(self, path: str) -> SummaryRow | None:
        """The first call of the module at ``path`` (the root is ``''``)."""
        for r in self.calls:
            if r.path == path:
                return r
        return None

    # -- output forms ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "model": self.model, "inputs": self.inputs, "outputs": self.outputs,
            "depth": self.depth, "columns": list(self.columns),
            "rows": [r.to_dict() for r in self.rows],
            "totals": {q.key: {"label": q.label, "value": q.value, "unit": q.unit,
                               "exact": q.exact, "note": q.note} for q in self.totals},
            "param_bytes_by_dtype": dict(self.param_bytes_by_dtype),
            "notes": list(self.notes),
        }

    def to_json(self, **kw) -> str:
        kw.setdefault("indent", 1)
        return json.dumps(self.to_dict(), **kw)

    def table(self, **kw):
        from ..render.summary_table import summary_table
        return summary_table(self, **kw)

    def __rich__(self):
        return self.table()

    def __str__(self) -> str:
        from ..render.summary_table import summary_text
        return summary_text(self)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython/Jupyter: the table, not the repr
        printer.text(str(self))

    def __repr__(self) -> str:
        return (f"<Summary of {self.model}: {self.params:,} params, {self.flops:,} FLOPs, "
                f"{len(self.calls)} module calls>")


# -- counting ----------------------------------------------------------------------------------
class _Counter(FlopCounterMode):
    """FlopCounterMode that also attributes FLOPs and allocated bytes to each module call.

    Module calls are numbered in the order their forward starts, which is the order the
    recorder appends ``trace.modules`` (both see every call through global forward hooks).
    """

    def __init__(self):
        super().__init__(display=False, custom_mapping=EXTRA_FLOP_FORMULAS)
        self.extra: dict[str, int] = {}    # FLOPs of ops plain FlopCounterMode counts as 0
        self.calls: list[list[int]] = []   # [flops, allocated bytes] per module call
        self.modules: list[torch.nn.Module] = []  # the module of each call
        self.stack: list[int] = []
        self.allocated = 0                 # bytes allocated inside the root module's forward
        self._handles: list = []

    def __enter__(self):
        from torch.nn.modules import module as M
        self._handles = [M.register_module_forward_pre_hook(self._pre),
                         M.register_module_forward_hook(self._post, always_call=True)]
        return super().__enter__()

    def __exit__(self, *exc):
        try:
            return super().__exit__(*exc)
        finally:
            for h in self._handles:
                h.remove()
            self._handles = []

    def _pre(self, module, args):
        self.stack.append(len(self.calls))
        self.calls.append([0, 0])
        self.modules.append(module)

    def _post(self, module, args, output):
        if self.stack:
            self.stack.pop()

    def _count_flops(self, func_packet, out, args, kwargs):
        # FlopCounterMode._count_flops, plus attribution to the module calls now running
        if func_packet in self.flop_registry:
            try:
                flops = self.flop_registry[func_packet](*args, **kwargs, out_val=out)
            except Exception:  # noqa: BLE001 - one of our formulas on an odd call: count nothing
                if func_packet not in EXTRA_FLOP_FORMULAS:
                    raise
                flops = 0
            for par in set(self.mod_tracker.parents):
                self.flop_counts[par][func_packet] += flops
            if func_packet in EXTRA_FLOP_FORMULAS:
                self.extra[str(func_packet)] = self.extra.get(str(func_packet), 0) + flops
            for i in self.stack:
                self.calls[i][0] += flops
        if self.stack:
            nbytes = _new_bytes(out, args, kwargs)
            if nbytes:
                self.allocated += nbytes
                for i in self.stack:
                    self.calls[i][1] += nbytes
        return out


def _storage_key(t: torch.Tensor):
    try:
        return t.untyped_storage()._cdata
    except Exception:  # noqa: BLE001 - sparse, nested, or no storage
        return None


def _tensors(value, out: list) -> list:
    if isinstance(value, torch.Tensor):
        out.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _tensors(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _tensors(v, out)
    return out


def _new_bytes(out, args, kwargs) -> int:
    """Bytes of the outputs that live in storage none of the inputs had (views and in-place
    results cost nothing)."""
    outs = _tensors(out, [])
    if not outs:
        return 0
    seen = {_storage_key(t) for t in _tensors(kwargs, _tensors(args, []))}
    total = 0
    for t in outs:
        key = _storage_key(t)
        if key is None or key in seen:
            continue
        seen.add(key)
        try:
            total += int(t.untyped_storage().nbytes())
        except Exception:  # noqa: BLE001 - data-dependent size
            pass
    return total


# -- helpers -----------------------------------------------------------------------------------
def _itemsize(dtype: str) -> int | None:
    dt = getattr(torch, dtype, None)
    return dt.itemsize if isinstance(dt, torch.dtype) else None


def meta_bytes(metas: list[TensorMeta]) -> int | None:
    """Bytes of these tensors (None when a size is symbolic or a dtype unknown)."""
    total = 0
    for m in metas:
        n, size = m.numel, _itemsize(m.dtype)
        if n is None or size is None:
            return None
        total += n * size
    return total


def _shapes(metas: list[TensorMeta]) -> list[str]:
    return [fmt_shape(m.shape, m.dtype) for m in metas if m.device != "scalar"]


def _param_count(module: torch.nn.Module) -> tuple[int, int]:
    total = trainable = 0
    for p in module.parameters():  # deduplicated: a tied weight counts once
        n = p.numel()
        total += n
        if p.requires_grad:
            trainable += n
    return total, trainable


def _kernel(module) -> str:
    k = getattr(module, "kernel_size", None)
    if k is None:
        return ""
    if isinstance(k, int):
        return str(k)
    try:
        return "x".join(str(int(d)) for d in k)
    except (TypeError, ValueError):
        return str(k)


def _check_depth(depth) -> int | None:
    if depth is None or (isinstance(depth, (int, float)) and depth == float("inf")):
        return None
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise TensorsightError(f"depth must be a whole number >= 0 (or None for every level), got {depth!r}")
    return depth


# -- the tree of calls, collapsing ---------------------------------------------------------------
def _build_tree(rows: list[SummaryRow]) -> list[SummaryRow]:
    roots: list[SummaryRow] = []
    stack: list[SummaryRow] = []
    for r in rows:
        r.children = []
        while stack and stack[-1].depth >= r.depth:
            stack.pop()
        (stack[-1].children if stack else roots).append(r)
        stack.append(r)
    return roots


def _collapse(siblings: list[SummaryRow]) -> list[SummaryRow]:
    out: list[SummaryRow] = []
    for r in siblings:
        r.children = _collapse(r.children)
        prev = out[-1] if out else None
        if prev is not None and prev.signature() == r.signature() and not prev.repeat and (
                not r.repeat or r.path == prev.path == prev.paths[-1]):
            prev.count += 1
            prev.paths.append(r.path)
            continue
        r.paths = [r.path]
        out.append(r)
    for r in out:
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


def _flatten(roots: list[SummaryRow], depth: int | None) -> list[SummaryRow]:
    out: list[SummaryRow] = []

    def walk(rs):
        for r in rs:
            if depth is None or r.depth <= depth:
                out.append(r)
                walk(r.children)
    walk(roots)
    return out


# -- the entry point -----------------------------------------------------------------------------
def summary(model: torch.nn.Module, example: Any = None, /, *, depth: int | None = 3,
            columns=None, collapse: bool = True, optimizer: str = "adam", **kwargs) -> Summary:
    """Summarise ``model(example, **kwargs)``: a module tree with output shapes, parameters,
    exact FLOPs and memory, from one forward pass on fake tensors.

    ``example``: a tensor, a shape such as ``(1, 3, 224, 224)``, a shape string such as
    ``"1x128:long"`` (token ids), a dict, or a tuple of those for several positional arguments.
    Keyword arguments go to ``forward`` (shapes allowed there too). ``depth``: deepest module
    level shown (the model itself is 0; None shows all). ``columns``: any of
    input, output, params, percent, trainable, kernel, flops, memory, alloc. ``collapse``: fold
    identical consecutive sibling modules into one row marked ×N. ``optimizer``: for the training
    memory estimate (adam/adamw: 2 states per parameter, sgd: 0, momentum/rmsprop/adagrad: 1).

    No weights are read and no compute runs; the model (lazy layers included) is left as it was.
    A forward that raises gives ``tensorsight.errors.ForwardError`` with the partial trace.
    """
    from ..capture.fake import materialize_lazy, new_fake_mode
    from ..capture.fake import trace as fake_trace
    from ..capture.inputs import normalize_example

    if not isinstance(model, torch.nn.Module):
        raise TensorsightError(f"summary() needs an nn.Module, got {type(model).__name__}")
    columns = _check_columns(columns)
    depth = _check_depth(depth)
    states = OPTIMIZER_STATES.get(str(optimizer).lower())
    if states is None:
        raise TensorsightError(f"unknown optimizer {optimizer!r}; choose from {', '.join(OPTIMIZER_STATES)}")

    call_args = normalize_example(example)
    mode = new_fake_mode()
    try:
        work = materialize_lazy(model, call_args, kwargs, mode)  # a materialised copy if lazy
    except (TensorsightError, ForwardError):
        raise
    except Exception as exc:  # noqa: BLE001 - the dry run of the lazy layers raised
        raise ForwardError(f"the dry run that sizes the lazy layers raised: {exc}".split("\n\n")[0],
                           None, exc) from exc
    counter = _Counter()
    with counter:
        trace = fake_trace(work, args=call_args, kwargs=kwargs, fake_mode=mode)

    calls = _rows(work, trace, counter)
    roots = _build_tree(calls)
    shown = _collapse(_copy_tree(roots)) if collapse else _copy_tree(roots)
    rows = _flatten(shown, depth)

    totals, by_dtype, notes = _totals(work, trace, counter, calls, states, optimizer)
    if work is not model:
        notes.append("lazy layers were materialised on a copy by a dry run on fake tensors; "
                     "your model is still lazy")
    return Summary(model=type(model).__name__, inputs=_shapes(trace.inputs),
                   outputs=_shapes(trace.outputs), rows=rows, calls=calls, totals=totals,
                   columns=columns, depth=depth, param_bytes_by_dtype=by_dtype, notes=notes,
                   trace=trace)


def _copy_tree(roots: list[SummaryRow]) -> list[SummaryRow]:
    out = []
    for r in roots:
        c = SummaryRow(**{k: (list(getattr(r, k)) if isinstance(getattr(r, k), list) else getattr(r, k))
                          for k in r.__dataclass_fields__ if k != "children"})
        c.children = _copy_tree(r.children)
        c.paths = [r.path]
        out.append(c)
    return out


def _rows(model: torch.nn.Module, trace: Trace, counter: _Counter) -> list[SummaryRow]:
    counted = len(counter.calls) == len(trace.modules)
    names = {}
    for n, m in model.named_modules():
        names.setdefault(id(m), n)
    info: dict[int, tuple] = {}
    seen: set[int] = set()
    rows = []
    for i, call in enumerate(trace.modules):
        mod = counter.modules[i] if counted else _lookup(model, call.path)
        path = call.path
        if mod is not None and _lookup(model, path) is not mod:
            path = names.get(id(mod), path)  # e.g. a module called by a grandparent
        key = id(mod) if mod is not None else id(call)
        if key not in info:
            info[key] = (*_param_count(mod), _kernel(mod)) if mod is not None else (None, None, "")
        total, trainable, kernel = info[key]
        flops, alloc = counter.calls[i] if counted else (0, 0)
        name = path.rsplit(".", 1)[-1] if path else type(model).__name__
        rows.append(SummaryRow(
            path=path, type=call.type, depth=call.depth, name=name,
            inputs=_shapes(call.inputs), outputs=_shapes(call.outputs), params=total,
            trainable=trainable, kernel=kernel, flops=flops,
            output_bytes=meta_bytes(call.outputs), alloc_bytes=alloc, repeat=key in seen))
        seen.add(key)
    return rows


def _lookup(model: torch.nn.Module, path: str):
    if not path:
        return model
    try:
        return model.get_submodule(path)
    except AttributeError:
        return None


def _totals(model, trace: Trace, counter: _Counter, calls: list[SummaryRow], states: int,
            optimizer: str):
    params = trainable = 0
    by_dtype: dict[str, int] = {}
    param_bytes = trainable_bytes = 0
    owners: dict[int, str] = {}
    for mname, mod in model.named_modules():
        for pname, p in mod.named_parameters(recurse=False):
            owners.setdefault(id(p), mname)
    seen: set[int] = set()
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        n = p.numel()
        b = n * p.element_size()
        dt = str(p.dtype).removeprefix("torch.")
        by_dtype[dt] = by_dtype.get(dt, 0) + b
        params += n
        param_bytes += b
        if p.requires_grad:
            trainable += n
            trainable_bytes += b
    buffer_bytes = sum(b.numel() * b.element_size() for b in {id(b): b for b in model.buffers()}.values())

    called = {r.path for r in calls}
    uncalled_params = 0
    uncalled_modules = []
    counted: set[int] = set()
    for mname, mod in model.named_modules():
        if mname in called:
            continue
        own = [p for p in mod.parameters(recurse=False) if id(p) not in counted and owners.get(id(p)) == mname]
        if own:
            uncalled_modules.append(mname)
            for p in own:
                counted.add(id(p))
                uncalled_params += p.numel()

    flops = counter.get_total_flops()
    fwd = counter.allocated
    in_bytes = meta_bytes([m for m in trace.inputs])
    out_bytes = meta_bytes(trace.outputs)
    grads = trainable_bytes
    opt = states * trainable_bytes
    training = param_bytes + buffer_bytes + grads + opt + fwd
    totals = [
        Quantity("params", "parameters", params, "params", True, "shared tensors counted once"),
        Quantity("trainable", "trainable parameters", trainable, "params", True),
        Quantity("non_trainable", "non-trainable parameters", params - trainable, "params", True),
        Quantity("flops", "FLOPs, one forward", flops, "flops", True,
                 "as torch.utils.flop_counter counts: matmul, conv, attention; elementwise ops 0"),
        Quantity("param_bytes", "parameter memory", param_bytes, "bytes", True),
        Quantity("buffer_bytes", "buffer memory", buffer_bytes, "bytes", True),
        Quantity("input_bytes", "input memory", in_bytes, "bytes", in_bytes is not None),
        Quantity("output_bytes", "output memory", out_bytes, "bytes", out_bytes is not None),
        Quantity("forward_bytes", "activations, one forward", fwd, "bytes", True,
                 "every byte the forward's ops allocate, none freed"),
        Quantity("training_bytes", f"training ({optimizer})", training, "bytes", False,
                 f"params + buffers + grads + {states}x optimizer state + forward activations"),
    ]
    notes = []
    if uncalled_params:
        shown = ", ".join(uncalled_modules[:4]) + (" ..." if len(uncalled_modules) > 4 else "")
        totals.insert(3, Quantity("uncalled_params", "in modules never called", uncalled_params,
                                  "params", True, shown))
        notes.append(f"{uncalled_params:,} parameters belong to modules this forward never called "
                     f"({shown}); they are counted in the totals")
    if counter.extra:
        extra = sum(counter.extra.values())
        ops = ", ".join(counter.extra)
        totals.insert(totals.index(next(q for q in totals if q.key == "flops")) + 1, Quantity(
            "flops_flopcounter", "FLOPs as FlopCounterMode counts them", flops - extra, "flops", True,
            f"it has no formula for {ops}"))
        notes.append(f"FLOPs include {extra:,} of {ops}, which torch's FlopCounterMode counts as 0 "
                     f"(tensorsight.analysis.summary.EXTRA_FLOP_FORMULAS)")
    if len(counter.calls) != len(trace.modules):
        notes.append("per-module FLOPs unavailable: module calls could not be matched")
    return totals, by_dtype, notes

