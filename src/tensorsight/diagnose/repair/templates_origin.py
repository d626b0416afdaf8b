"""Candidate edits at the origin of a value: a layer edit that writes a number over names
(``LSTM(input_size=N_word)`` → ``LSTM(input_size=100)``) is moved to where the names get their
value (``N_word = 100``), keeping the program's formula.

``lift`` reads the candidates the other templates made: for each one-line edit of a layer (or a
number) that replaces an expression of names by an int, it resolves the names to their origins
(origin_values) and solves the expression for that int, one name at a time.
"""
from __future__ import annotations

import ast
import os
import re

from ...shapes import fmt_shape
from ..edit import edits

from .candidate import Candidate, Context
from .origin_values import _OPS, describe, resolve, scope_at, solve, value
from .sites import Site

# an edit at the origin is tried before, and ranks above, the edit it was lifted from
LIFT_BONUS = 1.0
ADJUSTED_LIFT_BONUS = 0.4
# a parameter left at its default is where a value most often goes unnoticed
DEFAULT_BONUS = 0.5
LIFTABLE = ("layer", "rule", "number")
# templates whose own detail is the arithmetic that says why the data needs the new value
EXPLAINED = {"resample_factor"}


def lift(ctx: Context, cands: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    seen: set[tuple] = set()
    for c in cands:
        if c.kind not in LIFTABLE or len(c.fixes) != 1:
            continue
        try:
            found = list(_lifted(ctx, c))
        except Exception:  # noqa: BLE001 - an origin we cannot follow: the edit stays where it is
            if os.environ.get("TENSORSIGHT_DEBUG"):
                raise
            continue
        for new in found:
            key = tuple(sorted((f.file, f.line, f.new) for f in new.fixes))
            if key not in seen:
                seen.add(key)
                out.append(new)
    return out


def _lifted(ctx: Context, c: Candidate):
    fx = c.fixes[0]
    old_text, new_text = changed_text(fx.old, fx.new)
    if old_text is None or new_text is None or _is_int(old_text):
        return
    try:
        expr = ast.parse(old_text, mode="eval").body
    except SyntaxError:
        return
    if not any(isinstance(n, (ast.Name, ast.Attribute, ast.Subscript)) for n in ast.walk(expr)):
        return
    ast.increment_lineno(expr, fx.line - 1)
    module = _module_at(ctx, c, fx)
    scope = scope_at(fx.file, fx.line, ctx.crash.watcher, contained=module)
    if scope is None:
        return
    term = resolve(expr, scope)
    if term is None:
        return
    now = value(term)
    # ``N`` → ``N + 1`` at one use patches the value there; where N is set is where it is wrong
    want = int(new_text) if _is_int(new_text) else adjusted_value(old_text, new_text, now)
    if now is None or want is None or now == want:
        return
    for leaf, v in solve(term, want):
        fixes = leaf.edit(v)
        if not fixes:
            continue
        chain = " → ".join(leaf.chain)
        formula = f"{old_text} = {describe(term)} = {now}" if describe(term) != str(now) else f"{old_text} = {now}"
        need = f" ({c.detail})" if c.template in EXPLAINED else ""
        detail = (f"{chain} → {formula} at line {fx.line}, but the data needs {want}{need}: "
                  f"{leaf.name} = {v} gives {want} and keeps the program's formula")
        why = f"is where {leaf.name} gets its value ({leaf.value})"
        site = Site("origin", leaf.file, leaf.line, why, module=module, value=leaf.value, text=leaf.name, depth=3)
        # lifted from ``N + k`` at one use: above that use, below a literal written as the name
        bonus = LIFT_BONUS if _is_int(new_text) else ADJUSTED_LIFT_BONUS
        prior = c.prior + bonus + (DEFAULT_BONUS if leaf.default else 0.0)
        # the same layer change, made at the origin: ranked by the same agreement with the data
        yield Candidate(tuple(fixes), "origin_value", "number", site, detail, prior, layer_change=c.layer_change)


def _module_at(ctx: Context, c: Candidate, fx):
    if c.site is not None and c.site.module is not None and (c.site.file, c.site.line) == (fx.file, fx.line):
        return c.site.module
    for s in ctx.sites:
        if s.kind == "ctor" and (s.file, s.line) == (fx.file, fx.line):
            return s.module
    return None


def adjusted_value(old_text: str, new_text: str, now) -> int | None:
    """The int ``new_text`` evaluates to when ``old_text`` inside it is ``now`` (``n + 1`` with
    n = 64 → 65); None unless the rest of ``new_text`` is int arithmetic."""
    if not isinstance(now, int):
        return None
    try:
        old = ast.dump(ast.parse(old_text, mode="eval").body)
        tree = ast.parse(new_text, mode="eval").body
    except SyntaxError:
        return None

    def ev(node):
        if ast.dump(node) == old:
            return now
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            a, b = ev(node.left), ev(node.right)
            return None if a is None or b is None else _OPS[type(node.op)](a, b)
        return None

    if ast.dump(tree) == old or old not in ast.dump(tree):
        return None
    v = ev(tree)
    return v if isinstance(v, int) else None


def common_ends(a, b) -> tuple[int, int]:
    """How many leading and (then) trailing items two sequences share."""
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[-1 - j] == b[-1 - j]:
        j += 1
    return i, j


def changed_text(old: str, new: str):
    """(old, new) text of the part of a line an edit changes, widened to whole names."""
    i, j = common_ends(old, new)
    while i > 0 and (old[i - 1].isalnum() or old[i - 1] in "_."):
        i -= 1
    while j > 0 and (old[len(old) - j].isalnum() or old[len(old) - j] in "_"):
        j -= 1
    return old[i:len(old) - j].strip() or None, new[i:len(new) - j].strip() or None


def _is_int(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


# -- the dtype a tensor is made with ------------------------------------------------------------
# (wanted, found) dtypes in an error message, by message family
_DTYPE_PAIRS = [(re.compile(r"expected scalar type (\w+) but found (\w+)"), (1, 2)),
                (re.compile(r"found dtype (\w+) but expected (\w+)"), (2, 1)),
                (re.compile(r"expected (\w+) but got (\w+)"), (1, 2))]
_TORCH_DTYPES = {"float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16",
                 "long": "int64", "int": "int32", "float32": "float32", "float64": "float64", "int64": "int64"}
# calls that make a tensor and take dtype=
_MAKERS = ("tensor", "as_tensor", "zeros", "ones", "full", "empty", "arange", "linspace", "rand", "randn",
           "zeros_like", "ones_like", "full_like")
DTYPE_PRIOR = 6.5


def wanted_dtype(msg: str) -> tuple[str, str] | None:
    """(wanted, found) torch dtype names from a dtype-mismatch message."""
    for pattern, (w, f) in _DTYPE_PAIRS:
        m = pattern.search(msg)
        if m:
            want, found = _TORCH_DTYPES.get(m.group(w).lower()), _TORCH_DTYPES.get(m.group(f).lower())
            if want and found and want != found:
                return want, found
    return None


def dtype_at_creation(ctx: Context, site: Site):
    """A tensor made with the dtype the error says is wrong (float64 from NumPy meeting float32
    weights): give it the wanted dtype in the call that makes it, not where it is used."""
    pair = wanted_dtype(ctx.crash.msg)
    if pair is None or site.meta is None or site.kind != "operand":
        return
    want, found = pair
    if site.meta.dtype != found:
        return
    fixes = edits.add_kwarg(site.file, site.line, _MAKERS, "dtype", f"torch.{want}")
    if fixes:
        yield Candidate(tuple(fixes), "cast", "data", site,
                        f"make it {want} where it is created (dtype=torch.{want}): it is {found} from here on, and "
                        f"the op it meets wants {want}", DTYPE_PRIOR - 0.2 * site.depth)


# -- a model that is evaluated as it is --------------------------------------------------------
def evaluated_model(ctx: Context) -> bool:
    """Is the model that ran the failing op in eval mode? Then it is being evaluated as it was
    trained (a demo, a validation pass after training ran): its layers are what they are, and a
    size that does not fit comes from the data it is given."""
    ev = ctx.ev
    if ev is None:
        return False
    from ..edit.origin import top_call
    call = top_call(ctx.crash.trace, ev.index)
    model = ctx.crash.watcher.module(call.path) if call is not None else None
    return model is not None and getattr(model, "training", True) is False


# -- an input size written as the name the layer before it uses --------------------------------
# above the crash rule's own layer edit lifted to its origin (7.5 + LIFT_BONUS): the two layers then
# share one name, and the name that was wrong keeps its other uses
SHARED_NAME_PRIOR = 9.0


def in_size_from_producer(ctx: Context, site: Site):
    """``LSTM(c["hidden"], …)`` fed by ``Embedding(c["vocab"], c["emb"])``: the input size is the
    feeding layer's output size, written as that layer writes it (``LSTM(c["emb"], …)``), rather
    than the name that happens to hold the wrong value set to the right one."""
    from ..edit.layer_args import ARGS, ctor_arg_text, feeding_layer, replace_ctor_arg
    module = site.module
    mtype = type(module).__name__
    if site.kind != "ctor" or "in" not in ARGS.get(mtype, {}):
        return
    meta = _input_meta(ctx, module)
    if meta is None or len(meta.shape) < 2:
        return
    axis = 1 if mtype.startswith(("Conv", "BatchNorm", "InstanceNorm", "GroupNorm")) else -1
    want = meta.shape[axis]
    feeder = feeding_layer(ctx.crash.trace, meta)
    prev = ctx.crash.watcher.module(feeder.module) if feeder is not None and feeder.module else None
    prev_site = ctx.crash.watcher.site(prev) if prev is not None else None
    if prev_site is None or not isinstance(want, int):
        return
    ptype = type(prev).__name__
    text = ctor_arg_text(prev_site, ptype, "out", prev)
    now = ctor_arg_text(site, mtype, "in", module)
    if not text or _is_int(text) or text == now:
        return
    try:
        expr = ast.parse(text, mode="eval").body
    except SyntaxError:
        return
    ast.increment_lineno(expr, site.line - 1)
    scope = scope_at(site.file, site.line, ctx.crash.watcher, contained=module)
    term = resolve(expr, scope) if scope is not None else None
    if term is None or value(term) != want:
        return   # that name means something else (or nothing) where this layer is built
    fixes = replace_ctor_arg(site, mtype, "in", text, module)
    if fixes:
        old = getattr(module, ARGS[mtype]["in"][1], None)
        yield Candidate(tuple(fixes), "in_size_from_producer", "layer", site,
                        f"{mtype} input size {now} → {text}: the {ptype} before it makes {text} = {want} "
                        f"features (dim {axis} of {fmt_shape(meta.shape)})", SHARED_NAME_PRIOR,
                        layer_change=(module, "in", old, want))


def _input_meta(ctx: Context, module):
    """What ``module`` was given when the run failed: the failing op's operand, or (a check that
    raised before any op) the tensor torch's frames hold."""
    ev = ctx.ev
    watcher = ctx.crash.watcher
    if ev is not None:
        if ev.module and watcher.module(ev.module) is module and ev.activations:
            return ev.activations[0]
        return None
    from .templates_sizes import library_scopes
    for scope in library_scopes(ctx.crash.exc):
        if scope.get("self") is module:
            x = scope.get("input")
            if hasattr(x, "shape") and hasattr(x, "dtype"):
                return watcher.recorder.meta(x)
    return None
