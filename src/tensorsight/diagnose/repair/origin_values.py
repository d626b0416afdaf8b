"""Where a size came from: resolve the names of an expression back to the lines that give them
their value.

A layer argument written as names (``BatchNorm1d(num_person * in_channels * num_point)``,
``LSTM(input_size=N_word)``, ``AvgPool2d(pool_size)``) gets its value elsewhere: a module-level
constant, a class attribute of a config, a dict entry, an ``__init__`` parameter that the caller
passed (or left at its default), an attribute set in ``__init__``. ``resolve`` walks each name
back through the user's source (AST) and the objects the run built (the module that ran the
``__init__``, and the line that built it, from the watcher) to a *leaf*: an int literal at its
origin line, or a parameter default the caller did not override. ``solve`` then finds, for one
leaf at a time, the integer value that makes the expression equal what the data implies.
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Callable

from ..edit import edits
from ..findings import Fix

# how many resolution steps a chain may take (caller of a caller of …)
MAX_DEPTH = 6


@dataclass
class Leaf:
    """A value with an origin that can be edited: ``edit(v)`` writes ``v`` there."""
    name: str                    # how the program names it (``N_word``, ``config['pool_size']``)
    value: int
    file: str
    line: int
    edit: Callable[[int], list[Fix] | None]
    chain: list[str] = field(default_factory=list)   # how the value reaches the expression, outermost last
    default: bool = False        # a parameter default the caller did not override


@dataclass
class Scope:
    file: str
    tree: ast.Module
    func: ast.FunctionDef | None
    cls: ast.ClassDef | None
    owner: object                 # the module whose __init__ this is (None elsewhere)
    watcher: object
    depth: int = 0


# a term is ('lit', int) | ('leaf', Leaf) | ('bin', op, term, term)
_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.FloorDiv: lambda a, b: a // b if b else None}


@functools.lru_cache(maxsize=32)
def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def tree_of(file: str) -> ast.Module | None:
    src = edits.load(file)
    return _parse("\n".join(src.lines)) if src is not None else None


def scope_at(file: str, line: int, watcher, contained=None) -> Scope | None:
    """The scope of ``line``: its enclosing function and class, and the module whose
    ``__init__`` it is (the one of that class that contains ``contained``)."""
    tree = tree_of(file)
    if tree is None:
        return None
    func, cls = _enclosing(tree, line)
    owner = None
    if cls is not None and func is not None and func.name == "__init__" and watcher is not None:
        owner = _owner(watcher, cls.name, contained)
    return Scope(file, tree, func, cls, owner, watcher)


def _enclosing(tree: ast.Module, line: int):
    func = cls = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.lineno <= line <= (node.end_lineno or 0):
            if isinstance(node, ast.FunctionDef) and (func is None or node.lineno > func.lineno):
                func = node
            if isinstance(node, ast.ClassDef) and (cls is None or node.lineno > cls.lineno):
                cls = node
    if func is not None and cls is not None and not any(func is n for n in cls.body):
        cls = None    # a function nested deeper than a method: not the class's own method
    return func, cls


def _owner(watcher, cls_name: str, contained):
    """The module of class ``cls_name`` (built while watching) that holds ``contained``."""
    hits = []
    for m in list(watcher.module_sites.keys()):
        if type(m).__name__ != cls_name:
            continue
        if contained is None or any(sub is contained for sub in m.modules()):
            hits.append(m)
    return hits[0] if len(hits) == 1 else None


# -- resolution ---------------------------------------------------------------------------------
def resolve(expr: ast.expr, scope: Scope, top: bool = True):
    """The expression as a term over leaves, or None when a name's origin is not found."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        return ("lit", expr.value)
    if isinstance(expr, ast.BinOp) and type(expr.op) in _OPS:
        a, b = resolve(expr.left, scope, top), resolve(expr.right, scope, top)
        return ("bin", type(expr.op), a, b) if a is not None and b is not None else None
    if scope.depth > MAX_DEPTH:
        return None
    if isinstance(expr, ast.Name):
        return _name(expr.id, expr, scope)
    if isinstance(expr, ast.Attribute):
        return _attribute(expr, scope)
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return _keyed(key.value, scope, "dict")
    return None


def _deeper(scope: Scope, **kw) -> Scope:
    d = dict(file=scope.file, tree=scope.tree, func=scope.func, cls=scope.cls, owner=scope.owner,
             watcher=scope.watcher, depth=scope.depth + 1)
    d.update(kw)
    return Scope(**d)


def _name(name: str, node: ast.AST, scope: Scope):
    func = scope.func
    if func is not None:
        params = [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]
        if name in params:
            return _parameter(name, scope)
        local = _assignments(func.body, name, before=getattr(node, "lineno", None))
        if local:
            if len(local) != 1:
                return None
            return _through(resolve(local[0], _deeper(scope), top=False), name, local[0].lineno)
    return _global(name, scope)


def _through(term, name: str, line: int):
    """A term reached through an assignment: the chain says so."""
    if term is not None:
        for leaf in _leaves(term):
            leaf.chain.append(f"{name} (line {line})")
    return term


def _global(name: str, scope: Scope):
    module_scope = _deeper(scope, func=None, cls=None, owner=None)
    values = _assignments(scope.tree.body, name)
    if len(values) != 1:
        return None
    value = values[0]
    if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return ("leaf", _literal_leaf(name, value, scope.file))
    return _through(resolve(value, module_scope, top=False), name, value.lineno)


def _assignments(body: list[ast.stmt], name: str, before: int | None = None) -> list[ast.expr]:
    """The values assigned to ``name`` by the statements of ``body`` (not nested scopes);
    ``a, b = 1, 2`` gives each its element. Any other kind of binding makes it unknown."""
    out: list[ast.expr] = []
    for stmt in _statements(body):
        if before is not None and stmt.lineno >= before:
            continue
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id == name and stmt.value is not None:
                    out.append(stmt.value)
                elif isinstance(t, (ast.Tuple, ast.List)) and any(isinstance(e, ast.Name) and e.id == name
                                                                  for e in t.elts):
                    if isinstance(stmt.value, (ast.Tuple, ast.List)) and len(stmt.value.elts) == len(t.elts):
                        out += [v for e, v in zip(t.elts, stmt.value.elts) if isinstance(e, ast.Name) and e.id == name]
                    else:
                        out.append(None)
        elif isinstance(stmt, (ast.AugAssign, ast.For)) and _binds(stmt, name):
            out.append(None)
    return out if all(v is not None for v in out) else [None, None]


def _statements(body):
    """Statements of a body, into if/with/try blocks but not into nested functions or classes."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.With, ast.Try, ast.For, ast.While)):
            for part in ("body", "orelse", "finalbody"):
                yield from _statements(getattr(stmt, part, []) or [])


def _binds(stmt, name: str) -> bool:
    target = stmt.target
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _literal_leaf(name: str, node: ast.Constant, file: str, chain_note: str | None = None) -> Leaf:
    line = node.lineno

    def edit(v: int, node=node, file=file):
        return _replace_node(file, node, str(v))
    return Leaf(name, int(node.value), file, line, edit, [chain_note or f"{name} = {node.value} (line {line})"])


def _replace_node(file: str, node: ast.AST, text: str) -> list[Fix] | None:
    src = edits.load(file)
    if src is None or node.lineno != node.end_lineno:
        return None
    old = src.lines[node.lineno - 1]
    # ast columns count UTF-8 bytes
    raw = old.encode()
    new = (raw[:node.col_offset] + text.encode() + raw[node.end_col_offset:]).decode()
    fixes = [Fix(file, node.lineno, old, new)]
    return fixes if edits.parses(src, fixes) else None


def _parameter(name: str, scope: Scope):
    """A parameter of ``__init__``: what the line that built the module passed, or the default."""
    func, cls, owner = scope.func, scope.cls, scope.owner
    if cls is not None and owner is not None and func.name == "__init__":
        where = scope.watcher.site(owner)
        callee = cls.name
    elif cls is None:
        # a plain function called from one place in its file (a builder ``make_head(...)``)
        where, callee = _only_call(scope, func.name), func.name
    else:
        return None
    if where is None:
        return None
    caller = scope_at(where.file, where.line, scope.watcher, contained=owner)
    if caller is None:
        return None
    caller.depth = scope.depth + 1
    call = _call_at(caller.tree, where.line, callee)
    if call is None or any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    positional = [a.arg for a in func.args.posonlyargs + func.args.args][1 if cls is not None else 0:]
    passed = None
    if name in positional and positional.index(name) < len(call.args):
        passed = call.args[positional.index(name)]
    for k in call.keywords:
        if k.arg == name:
            passed = k.value
    call_text = f"{callee}(…) at line {where.line}"
    if passed is not None:
        term = resolve(passed, caller, top=False)
        if term is not None:
            for leaf in _leaves(term):
                leaf.chain.append(f"{name} (passed by {call_text})")
            if isinstance(passed, ast.BinOp) and value(term) is not None:
                # a formula passed at the call (``GCNConv(N * B, …)``) may be the wrong formula,
                # not a wrong name in it: the whole argument is one more thing to set
                text = ast.unparse(passed)

                def edit_arg(v: int, node=passed, file=where.file):
                    return _replace_node(file, node, str(v))
                whole = Leaf(text, value(term), where.file, passed.lineno, edit_arg,
                             [f"{name} = {text} (passed by {call_text})"])
                return ("alt", term, whole)
        return term
    default = _default_of(func, name)
    if not (isinstance(default, ast.Constant) and isinstance(default.value, int)) or isinstance(default.value, bool):
        return None

    def edit(v: int, file=where.file, line=where.line, callee=callee, name=name):
        return edits.add_kwarg(file, line, (callee,), name, str(v))
    return ("leaf", Leaf(name, int(default.value), where.file, where.line, edit,
                         [f"{name}={default.value} (the default: {call_text} did not pass it)"], default=True))


def _only_call(scope: Scope, name: str):
    calls = [n for n in ast.walk(scope.tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == name]
    if len(calls) != 1:
        return None
    from ...capture.events import Frame
    return Frame(scope.file, calls[0].lineno, "", "")


def _default_of(func: ast.FunctionDef, name: str):
    args = func.args.posonlyargs + func.args.args
    defaults = [None] * (len(args) - len(func.args.defaults)) + list(func.args.defaults)
    for a, d in zip(args, defaults):
        if a.arg == name:
            return d
    for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults):
        if a.arg == name:
            return d
    return None


def _call_at(tree: ast.Module, line: int, name: str) -> ast.Call | None:
    hits = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno <= line <= (n.end_lineno or n.lineno)
            and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)]
    return hits[0] if len(hits) == 1 else None


def _attribute(expr: ast.Attribute, scope: Scope):
    base = expr.value
    if isinstance(base, ast.Name) and base.id == "self" and scope.cls is not None:
        # self.k: where the class sets it
        values = []
        for fn in scope.cls.body:
            if isinstance(fn, ast.FunctionDef):
                for stmt in _statements(fn.body):
                    for t in getattr(stmt, "targets", []):
                        if isinstance(t, ast.Attribute) and t.attr == expr.attr and isinstance(t.value, ast.Name) \
                                and t.value.id == "self":
                            values.append((fn, stmt.value))
        if len(values) == 1:
            fn, value = values[0]
            return _through(resolve(value, _deeper(scope, func=fn), top=False), f"self.{expr.attr}", value.lineno)
        return _keyed(expr.attr, scope, "attr") if not values else None
    return _keyed(expr.attr, scope, "attr")


def _keyed(key: str, scope: Scope, kind: str):
    """A config value read by key or attribute name: the one place in the file that writes an
    int under that key (a dict entry, ``dict(key=…)``, a class attribute, ``obj.key = …``,
    ``add_argument('--key', default=…)``)."""
    found = []
    for node in ast.walk(scope.tree):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value == key:
                    found.append(v)
        elif isinstance(node, ast.Call):
            fname = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            for kw in node.keywords:
                if fname == "dict" and kw.arg == key:
                    found.append(kw.value)
                if fname == "add_argument" and kw.arg == "default" and any(
                        isinstance(a, ast.Constant) and isinstance(a.value, str)
                        and a.value.lstrip("-").replace("-", "_") == key for a in node.args):
                    found.append(kw.value)
        elif isinstance(node, ast.ClassDef) and kind == "attr":
            found += _assignments(node.body, key)
        elif isinstance(node, ast.Assign) and kind == "attr":
            found += [node.value for t in node.targets if isinstance(t, ast.Attribute) and t.attr == key]
    found = [v for v in found if v is not None]
    if len(found) != 1:
        return None
    v = found[0]
    if isinstance(v, ast.Constant) and isinstance(v.value, int) and not isinstance(v.value, bool):
        note = f"{key!r}: {v.value} (line {v.lineno})" if kind == "dict" else f"{key} = {v.value} (line {v.lineno})"
        return ("leaf", _literal_leaf(key, v, scope.file, note))
    return None


# -- evaluation and solving -------------------------------------------------------------------
def _leaves(term) -> list[Leaf]:
    if term[0] == "leaf":
        return [term[1]]
    if term[0] == "bin":
        return _leaves(term[2]) + _leaves(term[3])
    if term[0] == "alt":
        return _leaves(term[1]) + [term[2]]
    return []


def value(term, swap: tuple[Leaf, int] | None = None):
    kind = term[0]
    if kind == "lit":
        return term[1]
    if kind == "leaf":
        return swap[1] if swap is not None and term[1] is swap[0] else term[1].value
    if kind == "alt":
        return swap[1] if swap is not None and term[2] is swap[0] else value(term[1], swap)
    a, b = value(term[2], swap), value(term[3], swap)
    return None if a is None or b is None else _OPS[term[1]](a, b)


def solve(term, want: int) -> list[tuple[Leaf, int]]:
    """(leaf, new value) pairs, one leaf changed at a time, that make the term equal ``want``."""
    out = []
    for leaf in _leaves(term):
        v = _solve_one(term, leaf, want)
        if v is not None and v != leaf.value:
            out.append((leaf, v))
    return out


def _solve_one(term, leaf: Leaf, want: int) -> int | None:
    import sympy
    x = sympy.Symbol("x", integer=True, positive=True)

    def sym(t):
        if t[0] == "lit":
            return sympy.Integer(t[1])
        if t[0] == "leaf":
            return x if t[1] is leaf else sympy.Integer(t[1].value)
        if t[0] == "alt":
            return x if t[2] is leaf else sym(t[1])
        a, b = sym(t[2]), sym(t[3])
        return sympy.floor(a / b) if t[1] is ast.FloorDiv else _OPS[t[1]](a, b)
    try:
        roots = [r for r in sympy.solve(sympy.Eq(sym(term), want), x) if r.is_integer and r > 0]
    except (NotImplementedError, TypeError, ValueError):
        roots = None
    if roots:
        return int(min(roots, key=lambda r: abs(int(r) - leaf.value)))
    if roots is None:
        # floor division: the smallest search that finds the value nearest the current one
        hits = [v for v in range(1, 4 * max(want, leaf.value) + 2) if value(term, (leaf, v)) == want]
        if hits:
            return min(hits, key=lambda v: abs(v - leaf.value))
    return None


def describe(term) -> str:
    """The term written with its values: ``2·3·18``."""
    kind = term[0]
    if kind == "lit":
        return str(term[1])
    if kind == "leaf":
        return str(term[1].value)
    if kind == "alt":
        return describe(term[1])
    sym = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: "·", ast.FloorDiv: " // "}[term[1]]
    return describe(term[2]) + sym + describe(term[3])
