"""Reading a user's file for editing: the libcst tree parsed once per file version, and the calls,
statements, arguments and assignments at a line located in it (nothing here writes code).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from . import source_file


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


def line_of(path: str, line: int) -> str:
    src = load(path, line)
    if src is None or not (1 <= line <= len(src.lines)):
        return ""
    return src.lines[line - 1]


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


def list_element_text(path: str, line: int, names: tuple[str, ...], index: int) -> str | None:
    src = load(path, line)
    if src is None:
        return None
    for seq in list_args(src, line, names, index):
        return src.code(seq.elements[index].value).strip()
    return None


def list_args(src: Source, line: int, names: tuple[str, ...], index: int):
    """The list/tuple literals passed first to the calls of ``names`` covering ``line`` that have
    an element ``index`` (``torch.cat([a, b])``), innermost call first."""
    for call in calls_covering(src, line, *names):
        if call.node.args:
            seq = call.node.args[0].value
            if isinstance(seq, (cst.List, cst.Tuple)) and index < len(seq.elements):
                yield seq
