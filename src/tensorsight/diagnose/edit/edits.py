"""Code edits in the user's style, located with libcst (never regular expressions on code).

Each helper returns a ``Fix`` (one whole line, old and new) or None when the code at that line
is not what the fix expects. A Fix is only returned when the edited file still parses.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from . import source_file
from ..findings import Fix

_cache: dict[str, tuple[float, "Source"]] = {}


@dataclass
class Node:
    node: cst.CSTNode
    start: tuple[int, int]  # (line, column), 1-based line, 0-based column
    end: tuple[int, int]


@dataclass
class Source:
    path: str
    lines: list[str]
    calls: list[Node]
    statements: list[Node]
    module: cst.Module
    positions: object = None  # node -> CodeRange for every node, resolved once per file

    def text(self, n: Node) -> str:
        (l1, c1), (l2, c2) = n.start, n.end
        if l1 == l2:
            return self.lines[l1 - 1][c1:c2]
        parts = [self.lines[l1 - 1][c1:]] + self.lines[l1:l2 - 1] + [self.lines[l2 - 1][:c2]]
        return "\n".join(parts)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)


class _Collect(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, offset: int = 0, feeds: dict[int, int] | None = None):
        self.calls: list[Node] = []
        self.statements: list[Node] = []
        self.offset = offset  # lines before the parsed slice of the file
        self.feeds = feeds or {}  # line of the slice -> form feeds taken from its start

    def _node(self, node) -> Node:
        pos = self.get_metadata(PositionProvider, node)
        return Node(node, (pos.start.line + self.offset, pos.start.column + self.feeds.get(pos.start.line, 0)),
                    (pos.end.line + self.offset, pos.end.column + self.feeds.get(pos.end.line, 0)))

    def visit_Call(self, node):
        self.calls.append(self._node(node))

    def visit_SimpleStatementLine(self, node):
        for small in node.body:
            self.statements.append(self._node(small))


def load(path: str, line: int | None = None) -> Source | None:
    """The file parsed with libcst. Given ``line``, a long file (source_file.WINDOW_MIN_LINES)
    is parsed only for the top-level statement holding it; positions stay the file's."""
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    hit = _cache.get(path)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    try:
        file = _read(path, mtime)
    except (OSError, UnicodeError, LookupError):
        return None
    first, last = 1, len(file.lines)
    if line is not None and len(file.lines) > source_file.WINDOW_MIN_LINES:
        span = source_file.statement_span(path, file.text, line)
        if span is not None:
            first, last = span
            hit = _cache.get((path, span))
            if hit is not None and hit[0] == mtime:
                return hit[1]
    # libcst drops form feeds that start a line (Python ignores them: they reset the column),
    # which moves every column after them; they are taken out here and added back to positions
    sliced, feeds = [], {}
    for number, text in enumerate(file.lines[first - 1:last], 1):
        bare = text.lstrip("\x0c")
        if len(bare) != len(text):
            feeds[number] = len(text) - len(bare)
        sliced.append(bare)
    try:
        module = cst.parse_module("\n".join(sliced) + "\n")
    except cst.ParserSyntaxError:
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    visitor = _Collect(first - 1, feeds)
    wrapper.visit(visitor)
    # the positions the visit resolved, kept: resolving them again per edited node was
    # O(file) each time, quadratic on long scripts
    positions = _Shifted(wrapper.resolve(PositionProvider), first - 1, feeds)
    src = Source(path, file.lines, visitor.calls, visitor.statements, module, positions)
    _cache[path if (first, last) == (1, len(file.lines)) else (path, (first, last))] = (mtime, src)
    return src


_files: dict[str, tuple[float, source_file.SourceFile]] = {}


def _read(path: str, mtime: float) -> source_file.SourceFile:
    hit = _files.get(path)
    if hit is None or hit[0] != mtime:
        hit = _files[path] = (mtime, source_file.read(path))
    return hit[1]


class _Shifted:
    """Positions of a module parsed from a slice of the file, moved to the file's lines."""

    def __init__(self, positions, offset: int, feeds: dict[int, int]):
        self.positions, self.offset, self.feeds = positions, offset, feeds

    def get(self, node):
        pos = self.positions.get(node)
        if pos is None or not (self.offset or self.feeds):
            return pos
        from libcst.metadata import CodePosition, CodeRange
        (l1, c1), (l2, c2) = (pos.start.line, pos.start.column), (pos.end.line, pos.end.column)
        return CodeRange(CodePosition(l1 + self.offset, c1 + self.feeds.get(l1, 0)),
                         CodePosition(l2 + self.offset, c2 + self.feeds.get(l2, 0)))


def prime(path: str, text: str) -> None:
    """Make ``load(path)`` answer with ``text`` (an edited version kept in memory, never written)."""
    module = cst.parse_module(text)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    visitor = _Collect()
    wrapper.visit(visitor)
    positions = _Shifted(wrapper.resolve(PositionProvider), 0, {})
    _cache[path] = (os.path.getmtime(path), Source(path, source_file.split_lines(text)[0], visitor.calls, visitor.statements,
                                                   module, positions))


def func_name(call: cst.Call) -> str:
    """Dotted name of what is called: 'nn.Linear', 'x.view', 'torch.from_numpy'."""
    def dotted(e) -> str:
        if isinstance(e, cst.Name):
            return e.value
        if isinstance(e, cst.Attribute):
            return f"{dotted(e.value)}.{e.attr.value}"
        if isinstance(e, cst.Call):
            return dotted(e.func) + "()"
        if isinstance(e, cst.Subscript):
            return dotted(e.value) + "[]"
        return "?"
    return dotted(call.func)


def calls_at(src: Source, line: int, *names: str) -> list[Node]:
    """Calls starting on ``line`` whose function's last name part is one of ``names``."""
    out = []
    for n in src.calls:
        if n.start[0] != line:
            continue
        last = func_name(n.node).rsplit(".", 1)[-1]
        if not names or last in names:
            out.append(n)
    return out


def calls_covering(src: Source, line: int, *names: str) -> list[Node]:
    out = []
    for n in src.calls:
        if n.start[0] <= line <= n.end[0]:
            last = func_name(n.node).rsplit(".", 1)[-1]
            if not names or last in names:
                out.append(n)
    return out


def statement_at(src: Source, line: int) -> Node | None:
    best = None
    for n in src.statements:
        if n.start[0] <= line <= n.end[0]:
            if best is None or n.start >= best.start:
                best = n
    return best


def _splice(src: Source, start: tuple[int, int], end: tuple[int, int], new: str) -> list[Fix] | None:
    """Replace the text between two positions; returns one Fix per touched line."""
    (l1, c1), (l2, c2) = start, end
    old_lines = src.lines[l1 - 1:l2]
    head, tail = src.lines[l1 - 1][:c1], src.lines[l2 - 1][c2:]
    new_lines = (head + new + tail).split("\n")
    if len(new_lines) != len(old_lines):
        return None
    fixes = [Fix(src.path, l1 + i, o, n) for i, (o, n) in enumerate(zip(old_lines, new_lines)) if o != n]
    return fixes if fixes and parses(src, fixes) else None


def parses(src: Source, fixes: list[Fix]) -> bool:
    lines = list(src.lines)
    for fx in fixes:
        lines[fx.line - 1] = fx.new
    try:
        compile("\n".join(lines) + "\n", src.path, "exec")
    except SyntaxError:
        return False
    return True


def arg_node(call: cst.Call, position: int | None, keyword: str | None):
    if keyword:
        for a in call.args:
            if a.keyword is not None and a.keyword.value == keyword:
                return a
    if position is not None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if position < len(positional):
            return positional[position]
    return None


def replace_arg(path: str, line: int, names: tuple[str, ...], position: int | None, keyword: str | None,
                new_text: str, index: int | None = None) -> list[Fix] | None:
    """Replace one argument's value in the call of ``names`` that starts on ``line``
    (the ``index``-th such call when a line builds several)."""
    src = load(path, line)
    if src is None:
        return None
    for call in _pick(calls_at(src, line, *names) or calls_covering(src, line, *names), index):
        arg = arg_node(call.node, position, keyword)
        if arg is None:
            continue
        value = _find(src, arg.value)
        if value is None:
            continue
        return _splice(src, value.start, value.end, new_text)
    return None


def _pick(calls: list[Node], index: int | None) -> list[Node]:
    if index is None:
        return calls
    return calls[index:index + 1]


def arg_text(path: str, line: int, names: tuple[str, ...], position: int | None, keyword: str | None,
             index: int | None = None) -> str | None:
    src = load(path, line)
    if src is None:
        return None
    for call in _pick(calls_at(src, line, *names) or calls_covering(src, line, *names), index):
        arg = arg_node(call.node, position, keyword)
        if arg is not None:
            return src.code(arg.value).strip()
    return None


def add_kwarg(path: str, line: int, names: tuple[str, ...], keyword: str, value: str) -> list[Fix] | None:
    """Add (or overwrite) ``keyword=value`` in the call of ``names`` at ``line``."""
    src = load(path, line)
    if src is None:
        return None
    for call in calls_at(src, line, *names) or calls_covering(src, line, *names):
        existing = arg_node(call.node, None, keyword)
        if existing is not None:
            v = _find(src, existing.value)
            return _splice(src, v.start, v.end, value) if v else None
        if not call.node.args:
            end = call.end
            text = src.lines[end[0] - 1]
            col = end[1] - 1
            if text[col:col + 1] != ")":
                return None
            fixes = [Fix(path, end[0], text, text[:col] + f"{keyword}={value}" + text[col:])]
            return fixes if parses(src, fixes) else None
        last = _find(src, call.node.args[-1].value)
        if last is None:
            return None
        l, c = last.end
        text = src.lines[l - 1]
        fixes = [Fix(path, l, text, text[:c] + f", {keyword}={value}" + text[c:])]
        return fixes if parses(src, fixes) else None
    return None


def _find(src: Source, node: cst.CSTNode) -> Node | None:
    """Position of any node (re-visits the module; only for the rare nodes we edit)."""
    positions = src.positions
    if positions is None:
        positions = MetadataWrapper(src.module, unsafe_skip_copy=True).resolve(PositionProvider)
    pos = positions.get(node)
    if pos is None:
        return None
    return Node(node, (pos.start.line, pos.start.column), (pos.end.line, pos.end.column))


def assigned_value(src: Source, line: int):
    """(statement, value node) of an assignment/return/expression statement at ``line``."""
    st = statement_at(src, line)
    if st is None:
        return None, None
    node = st.node
    if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return)):
        return st, node.value
    if isinstance(node, cst.Expr):
        return st, node.value
    return st, None


def assigned_names(path: str, line: int) -> list[str]:
    src = load(path, line)
    if src is None:
        return []
    st = statement_at(src, line)
    if st is None or not isinstance(st.node, cst.Assign):
        return []
    names = []
    for t in st.node.targets:
        if isinstance(t.target, cst.Name):
            names.append(t.target.value)
        elif isinstance(t.target, cst.Tuple):
            names += [e.value.value for e in t.target.elements if isinstance(e.value, cst.Name)]
    return names


def _rewrite_value(path: str, line: int, rewrite, assignments_only: bool = False) -> list[Fix] | None:
    """Replace the value of the statement at ``line`` by ``rewrite(text, node)``."""
    src = load(path, line)
    if src is None:
        return None
    st, value = assigned_value(src, line)
    if value is None or (assignments_only and not isinstance(st.node, (cst.Assign, cst.AnnAssign))):
        return None
    pos = _find(src, value)
    if pos is None:
        return None
    return _splice(src, pos.start, pos.end, rewrite(src.text(pos), value))


def append_call(path: str, line: int, suffix: str) -> list[Fix] | None:
    """``y = expr`` → ``y = expr<suffix>`` (e.g. ``.squeeze(-1)``), wrapping in parentheses if needed."""
    def rewrite(text, value):
        atomic = isinstance(value, (cst.Call, cst.Attribute, cst.Name, cst.Subscript)) or value.lpar
        return f"{text}{suffix}" if atomic else f"({text}){suffix}"
    src = load(path, line)
    if src is None:
        return None
    _, value = assigned_value(src, line)
    if isinstance(value, _CONTAINERS):
        return None   # a tensor method on a dict or list literal is never the fix
    return _rewrite_value(path, line, rewrite)


_CONTAINERS = (cst.Dict, cst.List, cst.Tuple, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)


def replace_in_call_args(path: str, line: int, names: tuple[str, ...], new_args: str) -> list[Fix] | None:
    """Replace all arguments of a method call at ``line``: ``x.view(-1, 400)`` → ``x.view(x.size(0), -1)``.

    ``new_args`` may use ``{self}`` for the receiver's text (``x`` in ``x.view``).
    """
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, *names):
        node = call.node
        if not node.args or not isinstance(node.func, cst.Attribute):
            continue
        first = _find(src, node.args[0])
        last = _find(src, node.args[-1])
        if first is None or last is None:
            continue
        recv = src.code(node.func.value).strip()
        return _splice(src, first.start, last.end, new_args.format(self=recv))
    return None


def replace_call(path: str, line: int, names: tuple[str, ...], new_text: str) -> list[Fix] | None:
    """Replace a whole call expression (``{self}`` = receiver, ``{args}`` = its argument text)."""
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, *names):
        node = call.node
        recv = src.code(node.func.value).strip() if isinstance(node.func, cst.Attribute) else ""
        args = ", ".join(src.code(a).strip().rstrip(",") for a in node.args)
        return _splice(src, call.start, call.end, new_text.format(self=recv, args=args, call=src.text(call)))
    return None


def wrap_arg(path: str, line: int, names: tuple[str, ...], position: int, template: str) -> list[Fix] | None:
    """Wrap one argument of a call: template ``'{}.view_as(x)'`` or ``'{}.log()'``."""
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, *names):
        arg = arg_node(call.node, position, None)
        if arg is None:
            continue
        pos = _find(src, arg.value)
        if pos is None:
            continue
        text = src.text(pos)
        atomic = isinstance(arg.value, (cst.Call, cst.Attribute, cst.Name, cst.Subscript))
        return _splice(src, pos.start, pos.end, template.format(text if atomic else f"({text})"))
    return None


def remove_method(path: str, line: int, method: str) -> list[Fix] | None:
    """Drop a trailing method call: ``self.ff(x).squeeze(-1)`` → ``self.ff(x)``."""
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, method):
        node = call.node
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == method:
            inner = _find(src, node.func.value)
            if inner is None:
                continue
            return _splice(src, call.start, call.end, src.text(inner))
    return None


def line_of(path: str, line: int) -> str:
    src = load(path, line)
    if src is None or not (1 <= line <= len(src.lines)):
        return ""
    return src.lines[line - 1]


def wrap_list_element(path: str, line: int, names: tuple[str, ...], index: int, template: str,
                      ref_index: int = 0) -> list[Fix] | None:
    """Wrap element ``index`` of the list/tuple passed first to a call (``torch.cat([a, b])``)."""
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, *names):
        if not call.node.args:
            continue
        seq = call.node.args[0].value
        if not isinstance(seq, (cst.List, cst.Tuple)) or index >= len(seq.elements):
            continue
        el = seq.elements[index].value
        ref = src.code(seq.elements[ref_index].value).strip()
        pos = _find(src, el)
        if pos is None:
            continue
        return _splice(src, pos.start, pos.end, template.format(src.text(pos), ref=ref))
    return None


def is_function_call(path: str, line: int, name: str) -> bool:
    """``torch.bmm(a, b)`` (a function of a module) rather than ``a.bmm(b)`` (a method)."""
    src = load(path, line)
    if src is None:
        return False
    for call in calls_covering(src, line, name):
        func = call.node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and \
                func.value.value in ("torch", "th", "F", "functional"):
            return True
        if isinstance(func, cst.Name):
            return True
    return False


def wrap_receiver(path: str, line: int, names: tuple[str, ...], template: str) -> list[Fix] | None:
    """Wrap the receiver of a method call: ``a.bmm(b)`` → ``a.unsqueeze(1).bmm(b)``."""
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, *names):
        func = call.node.func
        if not isinstance(func, cst.Attribute):
            continue
        pos = _find(src, func.value)
        if pos is None:
            continue
        text = src.text(pos)
        atomic = isinstance(func.value, (cst.Call, cst.Attribute, cst.Name, cst.Subscript))
        return _splice(src, pos.start, pos.end, template.format(text if atomic else f"({text})"))
    return None


def wrap_compare_operand(path: str, line: int, side: int, template: str) -> list[Fix] | None:
    """Wrap the left (0) or right (1) operand of the first ``==``/``!=`` comparison on ``line``."""
    src = load(path, line)
    if src is None:
        return None
    st = statement_at(src, line)
    if st is None:
        return None
    found: list = []

    class V(cst.CSTVisitor):
        def visit_Comparison(self, node):
            if any(isinstance(t.operator, (cst.Equal, cst.NotEqual)) for t in node.comparisons):
                found.append(node)
    st.node.visit(V())
    for comp in found:
        target = comp.left if side == 0 else comp.comparisons[0].comparator
        pos = _find(src, target)
        if pos is None:
            continue
        text = src.text(pos)
        atomic = isinstance(target, (cst.Call, cst.Attribute, cst.Name, cst.Subscript))
        return _splice(src, pos.start, pos.end, template.format(text if atomic else f"({text})"))
    return None


def imports_functional_as(path: str) -> str:
    """How the file calls torch.nn.functional: 'F', another alias, or the full path."""
    src = load(path)
    if src is None:
        return "torch.nn.functional"
    for line in src.lines:
        s = line.strip()
        if s.startswith("import torch.nn.functional as "):
            return s.rsplit(" ", 1)[-1]
        if s.startswith("from torch.nn import functional as "):
            return s.rsplit(" ", 1)[-1]
    return "torch.nn.functional"


def batch_arg_to_size(path: str, line: int, names: tuple[str, ...], value: int) -> list[Fix] | None:
    """``x.view(32, -1)`` → ``x.view(x.size(0), -1)``: a hard-coded batch size made dynamic."""
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, *names):
        node = call.node
        if not isinstance(node.func, cst.Attribute) or not node.args:
            continue
        first = node.args[0].value
        if not (isinstance(first, cst.Integer) and int(first.value) == value) and \
                not (isinstance(first, cst.Name)):
            continue
        pos = _find(src, first)
        if pos is None:
            continue
        recv = src.code(node.func.value).strip()
        return _splice(src, pos.start, pos.end, f"{recv}.size(0)")
    return None


def wrap_assigned_value(path: str, line: int, template: str) -> list[Fix] | None:
    """``x = self.up(x)`` → ``x = F.interpolate(self.up(x), size=skip.shape[2:])`` (template with {})."""
    return _rewrite_value(path, line, lambda text, value: template.format(text), assignments_only=True)


def list_element_text(path: str, line: int, names: tuple[str, ...], index: int) -> str | None:
    src = load(path, line)
    if src is None:
        return None
    for call in calls_covering(src, line, *names):
        if not call.node.args:
            continue
        seq = call.node.args[0].value
        if isinstance(seq, (cst.List, cst.Tuple)) and index < len(seq.elements):
            return src.code(seq.elements[index].value).strip()
    return None
