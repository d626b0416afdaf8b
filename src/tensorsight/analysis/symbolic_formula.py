"""Formulas of input sizes: torch's sympy expressions made readable, simplified and evaluated.

torch's ShapeEnv writes sizes with its own sympy functions (``FloorDiv``, ``PythonMod``...), in a
canonical form made for the compiler: ``(((u1//2)) - 5)//2 + 1``. Here they become

* *inert* formulas, where ``⌊a/b⌋`` is a sympy function that never rewrites itself, so a
  formula keeps the shape it was built with (``⌊(⌊(H − 2)/2⌋ − 2)/2⌋``);
* *closed* formulas: nested floors merged (``⌊(H − 6)/4⌋``);
* text, with ⌊ ⌋, ·, − and ≥;
* numbers: :func:`evaluate` computes a formula or a condition for whole numpy grids of sizes
  at once (sub-formulas shared between conditions are computed once).
"""
from __future__ import annotations

import math

import sympy
from sympy.core.relational import Relational
from torch.utils._sympy import functions as TF


class FloorDivF(sympy.Function):
    """Inert ⌊a/b⌋ (never simplifies itself)."""
    nargs = 2
    is_integer = True


class CeilDivF(sympy.Function):
    """Inert ⌈a/b⌉."""
    nargs = 2
    is_integer = True


class ModF(sympy.Function):
    """Inert a mod b."""
    nargs = 2
    is_integer = True


_FLOORDIV = (TF.FloorDiv, FloorDivF)  # CleanDiv is a FloorDiv
_MOD = (TF.Mod, TF.PythonMod, ModF)


def user_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, integer=True, positive=True)


# -- inert forms ---------------------------------------------------------------------------------
def inert(expr):
    """torch's functions -> inert display functions (FloorDiv -> FloorDivF, ...)."""
    if isinstance(expr, int):
        return sympy.Integer(expr)
    if not isinstance(expr, sympy.Basic) or expr.is_Atom:
        return expr
    args = [inert(a) for a in expr.args]
    if isinstance(expr, _FLOORDIV):
        return FloorDivF(*args)
    if isinstance(expr, TF.CeilDiv):
        return CeilDivF(*args)
    if isinstance(expr, _MOD):
        return ModF(*args)
    if isinstance(expr, TF.PowByNatural):
        return sympy.Pow(*args)
    if isinstance(expr, TF.Identity):
        return args[0]
    if isinstance(expr, sympy.floor) or isinstance(expr, TF.FloorToInt):
        num, den = sympy.fraction(sympy.together(args[0]))
        if den.is_Integer and den > 0 and num.is_integer:
            return FloorDivF(num, den)
    if isinstance(expr, sympy.ceiling) or isinstance(expr, TF.CeilToInt):
        num, den = sympy.fraction(sympy.together(args[0]))
        if den.is_Integer and den > 0 and num.is_integer:
            return CeilDivF(num, den)
    if isinstance(expr, TF.IntTrueDiv):
        return sympy.Mul(args[0], sympy.Pow(args[1], -1), evaluate=True)
    if isinstance(expr, TF.ToFloat):
        return args[0]
    try:
        return expr.func(*args)
    except Exception:  # noqa: BLE001 - a function that refuses rebuilt args: keep it as it was
        return expr


def absorb(e):
    """``⌊x/b⌋ + c`` -> ``⌊(x + c·b)/b⌋``: the constant goes inside the floor."""
    if isinstance(e, sympy.Add):
        const, rest = e.as_coeff_Add()
        if const != 0 and const.is_Integer and isinstance(rest, FloorDivF):
            x, b = rest.args
            if b.is_Integer and b > 0:
                return FloorDivF(x + const * b, b)
    return e


def closed(expr):
    """Simplify an inert formula: merge nested floors, constants into floors."""
    expr = inert(expr)
    return absorb(_merge(expr))


def _merge(e):
    if not isinstance(e, sympy.Basic) or e.is_Atom:
        return e
    args = [_merge(a) for a in e.args]
    if isinstance(e, sympy.Add):
        e = absorb(sympy.Add(*args))
        if isinstance(e, sympy.Add):
            coeff, inner = sympy.factor_terms(e).as_coeff_Mul()
            if coeff.is_Integer and coeff != 1 and coeff != -1 and isinstance(inner, sympy.Add):
                e = coeff * absorb(inner)  # 16·⌊x/4⌋ + 16 -> 16·⌊(x + 4)/4⌋
        return e
    if isinstance(e, FloorDivF):
        x, b = args
        x = absorb(x)
        if b == 1:
            return x
        if isinstance(x, FloorDivF) and b.is_Integer and b > 0 and x.args[1].is_Integer and x.args[1] > 0:
            return FloorDivF(x.args[0], x.args[1] * b)  # ⌊⌊y/a⌋/b⌋ = ⌊y/(a·b)⌋
        if x.is_Integer and b.is_Integer and b != 0:
            return sympy.Integer(int(x) // int(b))
        return FloorDivF(x, b)
    if args != list(e.args):
        try:
            return e.func(*args)
        except Exception:  # noqa: BLE001
            return e
    return e


def depth(e) -> int:
    """How deeply floors nest in an inert formula."""
    if not isinstance(e, sympy.Basic) or e.is_Atom:
        return 0
    inner = max((depth(a) for a in e.args), default=0)
    return inner + (1 if isinstance(e, (FloorDivF, CeilDivF)) else 0)


def floor_affine(x, num_shift: int, stride: int, plus: int = 0):
    """``⌊(x + num_shift)/stride⌋ + plus`` built inertly, constants folded into the floor."""
    if stride == 1:
        return x + num_shift + plus
    shift = num_shift + plus * stride
    return FloorDivF(x + shift, stride)


# -- text ----------------------------------------------------------------------------------------
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_REL = {sympy.Eq: "=", sympy.Ne: "≠", sympy.Ge: "≥", sympy.Gt: ">", sympy.Le: "≤", sympy.Lt: "<"}
_FLIP = {sympy.Ge: sympy.Le, sympy.Le: sympy.Ge, sympy.Gt: sympy.Lt, sympy.Lt: sympy.Gt,
         sympy.Eq: sympy.Eq, sympy.Ne: sympy.Ne}
# precedence: 3 atom, 2 product, 1 sum
_ATOM, _PROD, _SUM = 3, 2, 1


def show(expr) -> str:
    """Text of a formula or condition: ``16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋``, ``H ≥ 3``."""
    if isinstance(expr, bool):
        return "true" if expr else "false"
    if isinstance(expr, int):
        return str(expr)
    expr = inert(expr)
    if expr is sympy.true:
        return "true"
    if expr is sympy.false:
        return "false"
    return _show(expr)[0]


def _show(e) -> tuple[str, int]:
    if isinstance(e, sympy.Integer):
        v = int(e)
        return (str(v) if v >= 0 else f"−{-v}"), (_ATOM if v >= 0 else _SUM)
    if isinstance(e, sympy.Rational):
        return f"{e.p}/{e.q}", _PROD
    if isinstance(e, sympy.Float):
        return f"{float(e):g}", _ATOM
    if isinstance(e, sympy.Symbol):
        return e.name, _ATOM
    if isinstance(e, sympy.Add):
        return _show_add(e), _SUM
    if isinstance(e, sympy.Mul):
        return _show_mul(e)
    if isinstance(e, sympy.Pow):
        base, exp = e.args
        if exp.is_Integer and exp > 0:
            b, p = _show(base)
            b = b if p == _ATOM else f"({b})"
            return b + str(int(exp)).translate(_SUPERSCRIPT), _ATOM
        if exp == -1:
            b, p = _show(base)
            return f"1/{b if p == _ATOM else '(' + b + ')'}", _PROD
    if isinstance(e, (FloorDivF, CeilDivF)):
        (a, pa), (b, pb) = _show(e.args[0]), _show(e.args[1])
        a = a if pa >= _PROD else f"({a})"
        b = b if pb == _ATOM else f"({b})"
        left, right = ("⌊", "⌋") if isinstance(e, FloorDivF) else ("⌈", "⌉")
        return f"{left}{a}/{b}{right}", _ATOM
    if isinstance(e, ModF):
        (a, pa), (b, pb) = _show(e.args[0]), _show(e.args[1])
        a = a if pa >= _PROD else f"({a})"
        b = b if pb >= _ATOM else f"({b})"
        return f"{a} mod {b}", _SUM
    if isinstance(e, (TF.Max, sympy.Max)):
        return "max(" + ", ".join(_show(a)[0] for a in e.args) + ")", _ATOM
    if isinstance(e, (TF.Min, sympy.Min)):
        return "min(" + ", ".join(_show(a)[0] for a in e.args) + ")", _ATOM
    if isinstance(e, Relational) and type(e) in _REL:
        lhs, rhs = e.args
        rel = type(e)
        if lhs.is_number and not rhs.is_number:
            lhs, rhs, rel = rhs, lhs, _FLIP[rel]
        return f"{_show(lhs)[0]} {_REL[rel]} {_show(rhs)[0]}", 0
    if isinstance(e, sympy.And):
        return " and ".join(_show(a)[0] for a in e.args), 0
    if isinstance(e, sympy.Or):
        return " or ".join(f"({_show(a)[0]})" for a in e.args), 0
    if isinstance(e, sympy.Not):
        return f"not ({_show(e.args[0])[0]})", 0
    if e is sympy.true or e is sympy.false:
        return str(bool(e)).lower(), _ATOM
    text = str(e)
    return text, _ATOM


def _show_add(e) -> str:
    terms = list(e.as_ordered_terms())
    const = [t for t in terms if t.is_number]
    rest = [t for t in terms if not t.is_number]
    # positive terms first, then negative ones, the constant last: "H + W − 2"
    rest.sort(key=lambda t: t.could_extract_minus_sign())
    out = ""
    for i, t in enumerate(rest + const):
        neg = t.could_extract_minus_sign()
        body = _show(-t if neg else t)
        text = body[0] if body[1] > _SUM else f"({body[0]})"
        if i == 0:
            out = ("−" if neg else "") + text
        else:
            out += (" − " if neg else " + ") + text
    return out


def _show_mul(e) -> tuple[str, int]:
    coeff, rest = e.as_coeff_Mul()
    if coeff.is_Rational and not coeff.is_Integer:
        num = coeff.p * rest
        den = coeff.q
        a, p = _show(num)
        return f"{a if p >= _PROD else '(' + a + ')'}/{den}", _PROD
    factors = list(sympy.Mul.make_args(rest))
    parts = []
    for f in factors:
        s, p = _show(f)
        parts.append(s if p >= _PROD else f"({s})")
    body = "·".join(parts)
    if coeff == -1:
        return "−" + body, _SUM
    if coeff != 1:
        c = _show(abs(coeff))[0]
        body = f"{c}·{body}"
        if coeff < 0:
            return "−" + body, _SUM
    return body, _PROD


# -- numbers -------------------------------------------------------------------------------------
class Unsupported(Exception):
    """A function the vectorised evaluator does not know."""


def evaluate(expr, env: dict, memo: dict | None = None):
    """Value of ``expr`` (formula or condition) for ``env``: symbol -> int or numpy int array.

    numpy broadcasting does the grid: give each symbol an array shaped along its own axis.
    """
    import numpy as np

    if memo is None:
        memo = {}

    def ev(e):
        if isinstance(e, (int, bool)):
            return e
        hit = memo.get(e)
        if hit is not None:
            return hit
        r = _ev(e)
        memo[e] = r
        return r

    def _ev(e):
        if e is sympy.true:
            return True
        if e is sympy.false:
            return False
        if isinstance(e, sympy.Integer):
            return int(e)
        if isinstance(e, sympy.Symbol):
            try:
                return env[e]
            except KeyError:
                raise Unsupported(f"no value for {e}") from None
        if isinstance(e, sympy.Rational):
            return float(e)
        if isinstance(e, sympy.Add):
            out = 0
            for a in e.args:
                out = out + ev(a)
            return out
        if isinstance(e, sympy.Mul):
            out = 1
            for a in e.args:
                out = out * ev(a)
            return out
        if isinstance(e, (sympy.Pow, TF.PowByNatural)):
            b, x = e.args
            if x.is_Integer and x >= 0:
                return ev(b) ** int(x)
            raise Unsupported(str(e))
        if isinstance(e, _FLOORDIV):
            a, b = ev(e.args[0]), ev(e.args[1])
            return _floordiv(a, b)
        if isinstance(e, (TF.CeilDiv, CeilDivF)):
            a, b = ev(e.args[0]), ev(e.args[1])
            return -_floordiv(-a, b)
        if isinstance(e, _MOD):
            a, b = ev(e.args[0]), ev(e.args[1])
            return _mod(a, b)
        if isinstance(e, (TF.Max, sympy.Max)):
            vals = [ev(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = np.maximum(out, v)
            return out
        if isinstance(e, (TF.Min, sympy.Min)):
            vals = [ev(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = np.minimum(out, v)
            return out
        if isinstance(e, (TF.Identity, TF.ToFloat, TF.TruncToFloat)):
            return ev(e.args[0])
        if isinstance(e, (TF.FloorToInt, sympy.floor)):
            return np.floor(ev(e.args[0])).astype(np.int64)
        if isinstance(e, (TF.CeilToInt, sympy.ceiling)):
            return np.ceil(ev(e.args[0])).astype(np.int64)
        if isinstance(e, (TF.TruncToInt,)):
            return np.trunc(ev(e.args[0])).astype(np.int64)
        if isinstance(e, (TF.IntTrueDiv, TF.FloatTrueDiv)):
            a, b = ev(e.args[0]), ev(e.args[1])
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.true_divide(a, b)
        if isinstance(e, sympy.Eq):
            return np.equal(ev(e.args[0]), ev(e.args[1]))
        if isinstance(e, sympy.Ne):
            return np.not_equal(ev(e.args[0]), ev(e.args[1]))
        if isinstance(e, sympy.Ge):
            return np.greater_equal(ev(e.args[0]), ev(e.args[1]))
        if isinstance(e, sympy.Gt):
            return np.greater(ev(e.args[0]), ev(e.args[1]))
        if isinstance(e, sympy.Le):
            return np.less_equal(ev(e.args[0]), ev(e.args[1]))
        if isinstance(e, sympy.Lt):
            return np.less(ev(e.args[0]), ev(e.args[1]))
        if isinstance(e, sympy.And):
            out = True
            for a in e.args:
                out = np.logical_and(out, ev(a))
            return out
        if isinstance(e, sympy.Or):
            out = False
            for a in e.args:
                out = np.logical_or(out, ev(a))
            return out
        if isinstance(e, sympy.Not):
            return np.logical_not(ev(e.args[0]))
        raise Unsupported(type(e).__name__)

    return ev(expr)


def _floordiv(a, b):
    import numpy as np
    if isinstance(a, int) and isinstance(b, int):
        return a // b if b else 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(b, int):
            return np.floor_divide(a, b) if b else np.zeros_like(a)
        safe = np.where(b == 0, 1, b)
        return np.where(b == 0, 0, np.floor_divide(a, safe))


def _mod(a, b):
    import numpy as np
    if isinstance(a, int) and isinstance(b, int):
        return a % b if b else 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(b, int):
            return np.mod(a, b) if b else np.zeros_like(a)
        safe = np.where(b == 0, 1, b)
        return np.where(b == 0, 0, np.mod(a, safe))


def value(expr, sizes: dict) -> int | bool:
    """One concrete value: ``sizes`` maps symbol (or symbol name) -> int."""
    env = {}
    for k, v in sizes.items():
        env[k if isinstance(k, sympy.Symbol) else user_symbol(k)] = int(v)
    for s in getattr(expr, "free_symbols", ()):
        if s not in env and s.name in sizes:
            env[s] = int(sizes[s.name])
    try:
        r = evaluate(expr, env)
    except Unsupported:
        r = expr.xreplace({s: sympy.Integer(v) for s, v in env.items()})
        r = inert(r)
        r = _merge(r)
    if hasattr(r, "item"):
        r = r.item()
    if isinstance(r, (bool, int)):
        return r
    if r is sympy.true or r is sympy.false:
        return bool(r)
    try:
        return int(r)
    except (TypeError, ValueError):
        f = float(r)
        return int(math.floor(f)) if f.is_integer() else f
