"""``tensorsight.summary``: a module table with output shapes, parameters, exact FLOPs and memory.

The forward pass is the one ``tensorsight.trace`` records, on the same paths (a throw-away real
copy for small models, meta twins for large ones, fake tensors only when neither can run the
model), so the model is never touched and no weights are read for a large model. FLOPs and
allocated bytes are computed from the Trace's shapes op by op (``summary_flops``): no dispatch
mode, no FakeTensorMode. Without an input, the table lists the modules and their parameters
(what torchinfo shows then).

What is exact: parameter counts and bytes, buffer bytes, FLOPs (torch.utils.flop_counter's
convention, see ``summary_flops``) unless an op without a formula ran (then the total is
labelled estimated and names it), the bytes of each module's outputs.
What is estimated: the bytes the forward's ops allocate (views and in-place ops cost nothing; a
reshape copies only a transposed input) and the training memory.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import torch

from ..capture import real as _real  # noqa: F401 - the paths trace takes, loaded with the summary
from ..capture.collector import collector_paused
from ..capture.events import Trace
from ..capture.fake import _has_lazy
from ..capture.fake import trace as capture_trace
from ..errors import ForwardError, TensorsightError
from ..render.summary_table import COLUMNS, DEFAULT_COLUMNS  # noqa: F401 - re-exported
from ..render.summary_table import check_columns as _check_columns
from . import summary_args as A
from . import summary_rows as R
from .summary_args import ROW_SETTINGS  # noqa: F401 - re-exported
from .summary_flops import short_name, trace_flops
from .summary_memory import meta_bytes, trace_alloc
from .summary_rows import SummaryRow  # noqa: F401 - re-exported

# optimizer -> state tensors per trainable parameter
OPTIMIZER_STATES = {"adam": 2, "adamw": 2, "sgd": 0, "momentum": 1, "rmsprop": 1, "adagrad": 1}
# kernels torch's FlopCounterMode has no formula for on CPU (it counts them 0)
_CPU_KERNELS_FLOPCOUNTER_MISSES = ("scaled_dot_product_attention", "multi_head_attention_forward", "lstm",
                                   "mv", "dot", "vdot", "addmv", "addbmm", "_grouped_mm", "bilinear")


def __getattr__(name: str):
    if name == "EXTRA_FLOP_FORMULAS":  # built on first use: see summary_flops
        from . import summary_flops
        return summary_flops.EXTRA_FLOP_FORMULAS
    raise AttributeError(name)


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
    row_settings: tuple[str, ...] = ("depth",)
    forward: bool = True                   # False: no input given, the parameter table only

    # -- queries -----------------------------------------------------------------------------
    def total(self, key: str, *default) -> int | None:
        """A total by key: params, trainable, non_trainable, uncalled_params, flops, macs,
        param_bytes, buffer_bytes, input_bytes, output_bytes, forward_bytes, training_bytes."""
        for q in self.totals:
            if q.key == key:
                return q.value
        if key == "uncalled_params":
            return 0
        if default:
            return default[0]
        raise KeyError(key)

    def quantity(self, key: str) -> Quantity | None:
        return next((q for q in self.totals if q.key == key), None)

    @property
    def params(self) -> int:
        return self.total("params")

    @property
    def trainable_params(self) -> int:
        return self.total("trainable")

    @property
    def flops(self) -> int | None:
        return self.total("flops", None)

    @property
    def macs(self) -> int | None:
        return self.total("macs", None)

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
            "depth": self.depth, "columns": list(self.columns), "forward": self.forward,
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
        flops = f", {self.flops:,} FLOPs" if self.flops is not None else ""
        return f"<Summary of {self.model}: {self.params:,} params{flops}, {len(self.calls)} module calls>"


def _has_script(model: torch.nn.Module) -> bool:
    return any(isinstance(m, torch.jit.ScriptModule) for m in model.modules())


# -- the entry point -----------------------------------------------------------------------------
def summary(model: torch.nn.Module, example: Any = None, /, *, input_size=None, input_data=None,
            batch_dim: int | None = None, dtypes=None, mode: str | None = None,
            depth: int | None = 3, columns=None, col_names=None, row_settings=None,
            verbose: int | None = None, collapse: bool = True, optimizer: str = "adam",
            col_width: int | None = None, device=None, cache_forward_pass=None, **kwargs) -> Summary:
    """Summarise ``model(example, **kwargs)``: a module tree with output shapes, parameters,
    exact FLOPs (and multiply-adds) and memory, from the forward pass ``tensorsight.trace`` records.

    ``example``: a tensor, a shape such as ``(1, 3, 224, 224)``, a shape string such as
    ``"1x128:long"`` (token ids), a dict (one argument), or a tuple of those for several positional
    arguments. Keyword arguments go to ``forward`` (shapes allowed there too). No input at all:
    the parameter table of every module, no forward.

    torchinfo's arguments work the same: ``input_size`` (a size or a list of sizes) with
    ``dtypes`` and ``batch_dim``; ``input_data`` (a tensor, a list of positional arguments, or a
    dict of keyword arguments); ``mode`` ("train"/"eval": the forward runs in that mode, the
    model's flags are put back); ``depth``; ``col_names`` (its column names: input_size,
    output_size, num_params, params_percent, kernel_size, mult_adds, trainable, and groups);
    ``row_settings`` (depth, var_names, ascii_only, hide_recursive_layers); ``verbose`` (0 quiet,
    1 print the table, 2 print every level and column; default: print nothing, return it).

    ``columns``: any of input, output, params, percent, trainable, kernel, groups, flops, macs,
    memory, alloc. ``collapse``: fold identical consecutive sibling modules into one row marked ×N.
    ``optimizer``: for the training memory estimate (adam/adamw: 2 states per parameter, sgd: 0,
    momentum/rmsprop/adagrad: 1).

    The model is left exactly as it was (parameters, buffers, modes, RNG states; lazy layers stay
    lazy). A forward that raises gives ``tensorsight.errors.ForwardError`` with the partial trace.
    """
    if not isinstance(model, torch.nn.Module):
        raise TensorsightError(f"summary() needs an nn.Module, got {type(model).__name__}")
    if columns is not None and col_names is not None:
        raise TensorsightError("give the columns once: columns and col_names were both given")
    depth = A.check_depth(depth)
    settings = A.check_row_settings(row_settings)
    states = OPTIMIZER_STATES.get(str(optimizer).lower())
    if states is None:
        raise TensorsightError(f"unknown optimizer {optimizer!r}; choose from {', '.join(OPTIMIZER_STATES)}")
    call_args, call_kwargs, forward = A.call_arguments(example, input_size, input_data, batch_dim, dtypes, kwargs)
    chosen = columns if columns is not None else col_names
    if verbose == 2:
        depth, chosen = None, chosen or ("input", "output", "params", "kernel", "groups", "flops", "macs", "memory")
    cols = _check_columns(chosen) if chosen is not None else (DEFAULT_COLUMNS if forward else ("params", "percent"))

    if not forward:
        result = _parameter_table(model, cols, depth, settings, collapse)
    else:
        with collector_paused():  # see capture.collector: its rows survive, nothing to collect
            result = _forward_summary(model, call_args, call_kwargs, mode, cols, depth, settings, collapse,
                                      states, optimizer)
    if device is not None:
        result.notes.append(f"device={device!r} ignored: the summary never moves your model, and "
                            f"shapes, parameters and FLOPs are the same on every device")
    if verbose in (1, 2):
        print(result)
    return result


def _parameter_table(model, cols, depth, settings, collapse) -> Summary:
    rows_all = R.module_rows(model)
    roots = R.build_tree(rows_all)
    shown = R.collapse(R.copy_tree(roots)) if collapse else R.copy_tree(roots)
    t = R.param_totals(model)
    return Summary(model=type(model).__name__, inputs=[], outputs=[], rows=R.flatten(shown, depth),
                   calls=rows_all, totals=_param_quantities(t), columns=cols, depth=depth,
                   param_bytes_by_dtype=t["by_dtype"], row_settings=settings, forward=False,
                   notes=["no input given: modules and parameters only (give an input for shapes, "
                          "FLOPs and memory)"])


def _param_quantities(t: dict) -> list[Quantity]:
    return [
        Quantity("params", "parameters", t["params"], "params", True, "shared tensors counted once"),
        Quantity("trainable", "trainable parameters", t["trainable"], "params", True),
        Quantity("non_trainable", "non-trainable parameters", t["params"] - t["trainable"], "params", True),
        Quantity("param_bytes", "parameter memory", t["param_bytes"], "bytes", True),
        Quantity("buffer_bytes", "buffer memory", t["buffer_bytes"], "bytes", True),
    ]


def _forward_summary(model, call_args, call_kwargs, mode, cols, depth, settings, collapse, states,
                     optimizer) -> Summary:
    work = model
    notes: list[str] = []
    if _has_lazy(model):
        from ..capture.fake import materialize_lazy
        try:
            work = materialize_lazy(model, call_args, call_kwargs)  # a materialised copy
        except (TensorsightError, ForwardError):
            raise
        except Exception as exc:  # noqa: BLE001 - the dry run of the lazy layers raised
            raise ForwardError(f"the dry run that sizes the lazy layers raised: {exc}".split("\n\n")[0],
                               None, exc) from exc
        notes.append("lazy layers were materialised on a copy by a dry run on fake tensors; "
                     "your model is still lazy")
    scripted = _has_script(work)
    counter = None
    if scripted:  # TorchScript runs its ops out of sight of the recorder: count at dispatch
        from torch.utils.flop_counter import FlopCounterMode

        from .summary_flops import EXTRA_FLOP_FORMULAS
        counter = FlopCounterMode(display=False, custom_mapping=EXTRA_FLOP_FORMULAS)
    # no_grad as torchinfo: layers that insist on it (reversible blocks) run, nothing is kept
    with torch.no_grad(), A.numpy_rng_kept(), A.forward_mode(work, mode), (counter or contextlib.nullcontext()):
        trace = capture_trace(work, args=call_args, kwargs=call_kwargs)

    flops, unknown = trace_flops(trace)
    alloc = trace_alloc(trace)
    calls = R.call_rows(work, trace, flops, alloc)
    total_flops = sum(flops)
    if counter is not None:  # the recorder saw the counter's aten calls, not the model's ops
        total_flops, unknown = counter.get_total_flops(), {}
        if calls:
            calls[0].flops = total_flops
        calls += [r for r in R.module_rows(work)[1:]]
        notes.append("TorchScript modules run as one op: their sub-modules show parameters only, and "
                     "the FLOPs are counted by torch's FlopCounterMode for the whole model")
    roots = R.build_tree(calls)
    shown = R.collapse(R.copy_tree(roots)) if collapse else R.copy_tree(roots)
    rows = R.flatten(shown, depth, hide_repeats="hide_recursive_layers" in settings)

    t = R.param_totals(work)
    totals = _param_quantities(t)
    if not scripted:
        n_uncalled, where = R.uncalled(work, trace)
        if n_uncalled:
            shown_names = ", ".join(where[:4]) + (" ..." if len(where) > 4 else "")
            totals.insert(3, Quantity("uncalled_params", "in modules never called", n_uncalled, "params",
                                      True, shown_names))
            notes.append(f"{n_uncalled:,} parameters belong to modules this forward never called "
                         f"({shown_names}); they are counted in the totals")
    exact = not unknown
    unknown_text = ", ".join(f"{op}" + (f" ×{n}" if n > 1 else "") for op, n in unknown.items())
    flop_note = ("as torch.utils.flop_counter counts: matmul, conv, attention; elementwise ops 0" if exact
                 else f"no FLOP formula for {unknown_text}: counted as 0")
    fwd = sum(alloc)
    in_bytes, out_bytes = meta_bytes(trace.inputs), meta_bytes(trace.outputs)
    opt = states * t["trainable_bytes"]
    training = t["param_bytes"] + t["buffer_bytes"] + t["trainable_bytes"] + opt + fwd
    at = totals.index(next(q for q in totals if q.key == "param_bytes"))
    totals[at:at] = [
        Quantity("flops", "FLOPs, one forward", total_flops, "flops", exact, flop_note),
        Quantity("macs", "multiply-adds (MACs), one forward", total_flops // 2, "count", exact,
                 "FLOPs / 2: torchinfo's \"Mult-Adds\""),
    ]
    totals += [
        Quantity("input_bytes", "input memory", in_bytes, "bytes", in_bytes is not None),
        Quantity("output_bytes", "output memory", out_bytes, "bytes", out_bytes is not None),
        Quantity("forward_bytes", "activations, one forward", fwd, "bytes", False,
                 "what the forward's ops allocate, none freed (views and in-place ops: 0)"),
        Quantity("training_bytes", f"training ({optimizer})", training, "bytes", False,
                 f"params + buffers + grads + {states}x optimizer state + forward activations"),
    ]
    if unknown:
        notes.append(f"FLOPs are estimated: no formula for {unknown_text} (counted as 0)")
    missed = sorted({short_name(e.op) for e, f in zip(trace.events, flops)
                     if f and short_name(e.op) in _CPU_KERNELS_FLOPCOUNTER_MISSES})
    if missed:
        notes.append(f"FLOPs include {', '.join(missed)}, which torch's FlopCounterMode may count as 0 on CPU "
                     f"(its CPU kernels have no formula there); "
                     f"FlopCounterMode(custom_mapping=tensorsight.analysis.summary.EXTRA_FLOP_FORMULAS) counts them")
    dd = [e for e in trace.events if e.note == "data-dependent"]
    if dd:
        where = ", ".join(f"{e.name} at {e.where}" if e.where else e.name for e in dd[:3])
        notes.append(f"{len(dd)} op(s) have sizes that depend on tensor values ({where}); "
                     f"their FLOPs and memory are for the sizes the trace assumed")
    return Summary(model=type(model).__name__, inputs=R.shapes(trace.inputs), outputs=R.shapes(trace.outputs),
                   rows=rows, calls=calls, totals=totals, columns=cols, depth=depth,
                   param_bytes_by_dtype=t["by_dtype"], notes=notes, trace=trace, row_settings=settings)
