"""The one data model: a Trace of OpEvents.

The recorder fills it; explanations, diagnoses, symbolic answers and renderers only read it.
Everything here is plain data (ints, strings, tuples) so a Trace outlives the tensors it saw,
serialises to JSON and never holds memory of the user's model.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Iterator

from ..shapes import fmt_shape
from .dist_events import DistInfo


@dataclass(frozen=True)
class Frame:
    """A place in the user's source code (never a frame inside torch or tensorsight)."""
    file: str
    line: int
    function: str = ""
    code: str = ""  # the stripped source text of that line

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(slots=True, unsafe_hash=True)  # not frozen: a frozen __init__ costs 4x per tensor recorded
class TensorMeta:
    """What a tensor looked like: sizes are ints, or strings for symbolic/unknown sizes.
    Treat it as immutable (it is hashed and shared between events)."""
    shape: tuple[int | str, ...]
    dtype: str
    device: str = "cpu"
    producer: int | None = None  # index of the OpEvent that made it, None for inputs/params
    role: str = ""               # 'input', 'weight', 'bias', 'param', 'buffer', '' (activation)

    @property
    def numel(self) -> int | None:
        n = 1
        for d in self.shape:
            if not isinstance(d, int):
                return None
            n *= d
        return n

    @property
    def known(self) -> bool:
        return all(isinstance(d, int) for d in self.shape)

    def __str__(self) -> str:
        return fmt_shape(self.shape, self.dtype)


@dataclass(slots=True)  # no per-event __dict__: a 70B trace holds thousands of them
class OpEvent:
    """One tensor operation of the forward pass.

    ``op`` is the qualified name users know (``F.conv2d``, ``torch.cat``, ``Tensor.view``,
    ``Tensor.__add__``); ``args``/``kwargs`` keep the non-tensor arguments (tensors appear as
    ``TensorRef(i)`` placeholders that index into ``inputs``) so explanations can read stride,
    padding, the shape passed to view, and so on.
    """
    index: int
    op: str
    inputs: list[TensorMeta]
    outputs: list[TensorMeta]
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    module: str = ""            # module path, e.g. 'features.3' ('' outside any module)
    module_type: str = ""       # e.g. 'Conv2d'
    where: Frame | None = None  # innermost user frame
    stack: tuple[Frame, ...] = ()  # user frames, outermost first (where == stack[-1])
    note: str = ""              # '', 'real' (ran for real: fake unsupported), 'data-dependent'
    error: str = ""             # the exception message if this op raised
    dist: DistInfo | None = None  # DTensor operands: global/local shapes, placements, collectives

    @property
    def name(self) -> str:
        """Short display name: ``conv2d``, ``view``, ``cat``, ``+``."""
        short = self.op.rsplit(".", 1)[-1]
        return OPERATOR_SYMBOLS.get(short, short)

    @property
    def producers(self) -> list[int | None]:
        return [t.producer for t in self.inputs]

    @property
    def activations(self) -> list[TensorMeta]:
        """Inputs that are data flowing through the network (not weights or buffers)."""
        return [t for t in self.inputs if t.role in ("", "input")]

    def arg(self, position: int, name: str, default=None):
        """A call argument by keyword or position (as the user passed it)."""
        if name in self.kwargs:
            return self.kwargs[name]
        if position < len(self.args):
            return self.args[position]
        return default

    def resolve(self, value):
        """Replace TensorRef placeholders in an argument by their TensorMeta."""
        if isinstance(value, TensorRef):
            return self.inputs[value.index]
        if isinstance(value, (list, tuple)):
            return type(value)(self.resolve(v) for v in value)
        return value


@dataclass(frozen=True)
class TensorRef:
    """Placeholder for a tensor argument inside OpEvent.args: ``inputs[index]``."""
    index: int

    def __repr__(self) -> str:
        return f"<tensor {self.index}>"


@dataclass
class ModuleCall:
    """One call of an nn.Module's forward: ops ``events[start:end]`` happened inside it."""
    path: str
    type: str
    depth: int
    start: int
    end: int
    inputs: list[TensorMeta] = field(default_factory=list)
    outputs: list[TensorMeta] = field(default_factory=list)
    where: Frame | None = None  # the user line that called it
    # keyword arguments of the call (``attention_mask=``): a TensorMeta for a tensor (a list of
    # them for a list/tuple of tensors), the value itself for None/bool/int/float/str; replays
    # of the call (layer repair, the last-batch rehearsal) pass them again
    kwargs: dict = field(default_factory=dict)


OPERATOR_SYMBOLS = {
    "__add__": "+", "__radd__": "+", "__iadd__": "+=", "__sub__": "-", "__rsub__": "-",
    "__isub__": "-=", "__mul__": "*", "__rmul__": "*", "__imul__": "*=", "__truediv__": "/",
    "__rtruediv__": "/", "__itruediv__": "/=", "__floordiv__": "//", "__matmul__": "@",
    "__rmatmul__": "@", "__pow__": "**", "__rpow__": "**", "__neg__": "neg", "__getitem__": "[]",
    "__setitem__": "[]=", "__eq__": "==", "__ne__": "!=", "__lt__": "<", "__le__": "<=",
    "__gt__": ">", "__ge__": ">=", "__and__": "&", "__or__": "|", "__invert__": "~",
    "__mod__": "%", "__xor__": "^",
}


@dataclass
class Trace:
    """Everything one forward pass did to tensors, in order."""
    events: list[OpEvent] = field(default_factory=list)
    modules: list[ModuleCall] = field(default_factory=list)
    inputs: list[TensorMeta] = field(default_factory=list)
    outputs: list[TensorMeta] = field(default_factory=list)
    model: str = ""               # the model's class name
    mode: str = "fake"            # 'fake', 'meta', 'real' or 'symbolic'
    error: str = ""               # message when the forward raised (events end at the failing op)
    error_type: str = ""
    symbols: dict[str, str] = field(default_factory=dict)  # symbol name -> input dim it stands for
    # branches and values taken on tensor data, each with what was assumed:
    # '#12 Tensor.__bool__ at model.py:40 = False: computed for real with zeros for f32[2,16]'
    assumed: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[OpEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, i: int) -> OpEvent:
        return self.events[i]

    # -- queries -----------------------------------------------------------------------------
    def producer(self, meta: TensorMeta) -> OpEvent | None:
        return None if meta.producer is None else self.events[meta.producer]

    def by_module(self, path: str) -> list[OpEvent]:
        return [e for e in self.events if e.module == path or e.module.startswith(path + ".")]

    def find(self, op: str) -> list[OpEvent]:
        """Events whose op name ends with ``op`` (``'conv2d'``, ``'Tensor.view'``)."""
        return [e for e in self.events if e.op == op or e.op.endswith("." + op) or e.name == op]

    def module_call(self, path: str) -> ModuleCall | None:
        for m in self.modules:
            if m.path == path:
                return m
        return None

    # -- output forms ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return _jsonable(self)

    def to_json(self, **kw) -> str:
        kw.setdefault("indent", 1)
        return json.dumps(self.to_dict(), **kw)

    def table(self, **kw):
        from ..render.table import trace_table
        return trace_table(self, **kw)

    def tree(self, **kw):
        from ..render.tree import module_tree
        return module_tree(self, **kw)

    def __rich__(self):
        return self.table()

    def __str__(self) -> str:
        from ..render.text import to_text
        return to_text(self.table())

    def __repr__(self) -> str:
        return f"<Trace of {self.model or 'model'}: {len(self.events)} ops, {len(self.modules)} module calls>"

    def _repr_html_(self) -> str:
        from ..render.html import trace_html
        return trace_html(self)


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (int, float, str, bool)) or x is None:
        return x
    if isinstance(x, TensorRef):  # before the dataclass case: asdict() would make it {"index": i}
        return {"tensor": x.index}
    if is_dataclass(x) and not isinstance(x, type):
        return {f.name: _jsonable(getattr(x, f.name)) for f in fields(x)}
    return str(x)
