"""Code edits in the user's style, located with libcst (never regular expressions on code).

Each helper returns a ``Fix`` (one whole line, old and new) or None when the code at that line
is not what the fix expects. A Fix is only returned when the edited file still parses. Finding
the code to edit is locate.py's job; its names are re-exported here, the one module fixes use.
"""
from __future__ import annotations

import libcst as cst

from ..findings import Fix
from .locate import (  # noqa: F401  (re-exported: edits.load, edits.calls_at, …)
    Node, Source, _find, _pick, arg_node, arg_text, assigned_names, assigned_value, calls_at, calls_covering,
    func_name, imports_functional_as, is_function_call, line_of, list_args, list_element_text, load, prime,
    statement_at)


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
    new = rewrite(src.text(pos), value)     # None: the rewrite does not apply to this value
    return _splice(src, pos.start, pos.end, new) if new is not None else None


def append_call(path: str, line: int, suffix: str) -> list[Fix] | None:
    """``y = expr`` → ``y = expr<suffix>`` (e.g. ``.squeeze(-1)``), wrapping in parentheses if needed."""
    def rewrite(text, value):
        if isinstance(value, _CONTAINERS):
            return None   # a tensor method on a dict or list literal is never the fix
        atomic = isinstance(value, (cst.Call, cst.Attribute, cst.Name, cst.Subscript)) or value.lpar
        return f"{text}{suffix}" if atomic else f"({text}){suffix}"
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


def wrap_nth_call(path: str, line: int, names: tuple[str, ...], index: int, template: str) -> list[Fix] | None:
    """Wrap the ``index``-th call (in source order) named ``names`` that starts on ``line``:
    template ``'{} + 1'``; the call is parenthesised when the template is an operator."""
    src = load(path, line)
    if src is None:
        return None
    calls = sorted(calls_at(src, line, *names), key=lambda c: c.start)
    if not 0 <= index < len(calls):
        return None
    call = calls[index]
    return _splice(src, call.start, call.end, template.format(src.text(call)))


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


def wrap_list_element(path: str, line: int, names: tuple[str, ...], index: int, template: str,
                      ref_index: int = 0) -> list[Fix] | None:
    """Wrap element ``index`` of the list/tuple passed first to a call (``torch.cat([a, b])``)."""
    src = load(path, line)
    if src is None:
        return None
    for seq in list_args(src, line, names, index):
        el = seq.elements[index].value
        ref = src.code(seq.elements[ref_index].value).strip()
        pos = _find(src, el)
        if pos is None:
            continue
        return _splice(src, pos.start, pos.end, template.format(src.text(pos), ref=ref))
    return None


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




def rewrite_subscript(path: str, line: int, n_items: int, new_items: str) -> list[Fix] | None:
    """``out[:, :, -1]`` or ``out[..., -1]`` → ``out[:, -1, :]``: the one subscript on the line that
    indexes ``n_items`` dims (an Ellipsis stands for the rest) gets ``new_items``."""
    src = load(path, line)
    stmt = statement_at(src, line) if src is not None else None
    if stmt is None:
        return None
    found: list[cst.Subscript] = []

    class _Subs(cst.CSTVisitor):
        def visit_Subscript(self, node):
            ellipsis = any(isinstance(getattr(e.slice, "value", None), cst.Ellipsis) for e in node.slice)
            if len(node.slice) == n_items or (ellipsis and len(node.slice) <= n_items):
                found.append(node)

    stmt.node.visit(_Subs())
    if len(found) != 1:
        return None
    a, b = _find(src, found[0].slice[0]), _find(src, found[0].slice[-1])
    if a is None or b is None:
        return None
    return _splice(src, a.start, b.end, new_items)
