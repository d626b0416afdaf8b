"""Products and lookups: linear, matmul/mm/bmm/@/einsum, embedding, RNN/LSTM/GRU, attention,
and elementwise broadcasting."""
from __future__ import annotations

from ..capture.events import OpEvent, TensorMeta
from .explain import (DimWhy, Explanation, both, generic_labels, is_int, kept, out_shape,
                      register, shp, tensor)


def _lead_labels(n: int) -> list[str]:
    """Labels of the leading (pass-through) axes of an activation: N, then dim 1, dim 2…"""
    return ["N" if i == 0 else f"dim {i}" for i in range(n)]


def linear(e: OpEvent, trace=None):
    x = tensor(e, 0, "input")
    w = tensor(e, 1, "weight")
    b = tensor(e, 2, "bias")
    out = out_shape(e)
    if x is None or w is None or out is None or len(w.shape) not in (1, 2) or not x.shape:
        return None
    xs, ws = tuple(x.shape), tuple(w.shape)
    if len(ws) == 1:
        return None
    O, I = ws
    if xs[-1] != I and is_int(xs[-1]) and is_int(I):
        return None
    lab = _lead_labels(len(xs) - 1)
    dims = [kept(j, lab[j], xs[j]) for j in range(len(xs) - 1)]
    dims.append(DimWhy(len(xs) - 1, "features", O, f"out_features = {O}",
                       f"W has {O} rows (out_features); its {I} columns (in_features) "
                       f"must equal the input's last dim {xs[-1]}"))
    bias = f" + b[{b.shape[0]}]" if b is not None and b.shape else ""
    summary = f"linear {I} → {O}: {shp(xs)} @ W{shp(ws)}ᵀ{bias} → {shp(out)}"
    return Explanation(e.op, summary, tuple(dims))


def _bcast(a: tuple, b: tuple):
    """Right-aligned broadcast of two batch shapes: [(size_a|None, size_b|None, result)]."""
    n = max(len(a), len(b))
    pa = (None,) * (n - len(a)) + tuple(a)
    pb = (None,) * (n - len(b)) + tuple(b)
    res = []
    for x, y in zip(pa, pb):
        if x is None:
            r = y
        elif y is None:
            r = x
        elif x == y:
            r = x
        elif x == 1:
            r = y
        elif y == 1:
            r = x
        elif is_int(x) and is_int(y):
            return None
        else:
            r = "?"
        res.append((x, y, r))
    return res


def _bcast_dim(j: int, label: str, x, y, r, left="left", right="right", out_size=None) -> DimWhy:
    size = r if r != "?" else out_size
    if x is None or y is None:
        who = left if y is None else right
        return DimWhy(j, label, size, str(size), f"only the {who} operand has this axis")
    if x == y:
        return kept(j, label, size)
    one = left if x == 1 else right
    return DimWhy(j, label, size, f"broadcast({x}, {y}) = {size}", f"the {one} operand's 1 is broadcast")


def matmul(e: OpEvent, trace=None):
    a = tensor(e, 0, "input")
    b = tensor(e, 1, "other")
    if b is None:
        b = tensor(e, 1, "mat2")
    name = e.op.rsplit(".", 1)[-1]
    if name in ("addmm", "baddbmm", "addbmm", "addmv"):
        a, b = tensor(e, 1, "mat1") or tensor(e, 1, "batch1"), tensor(e, 2, "mat2") or tensor(e, 2, "batch2")
    if name == "__rmatmul__":
        a, b = b, a
    out = out_shape(e)
    if a is None or b is None or out is None or not a.shape or not b.shape:
        return None
    xs, ys = tuple(a.shape), tuple(b.shape)
    if name in ("bmm", "baddbmm") and (len(xs) != 3 or len(ys) != 3):
        return None
    av = len(xs) == 1
    bv = len(ys) == 1
    A = (1,) + xs if av else xs
    B = ys + (1,) if bv else ys
    k1, k2 = A[-1], B[-2]
    if k1 != k2 and is_int(k1) and is_int(k2):
        return None
    batch = _bcast(A[:-2], B[:-2])
    if batch is None:
        return None
    dims = []
    j = 0
    for x, y, r in batch:
        dims.append(_bcast_dim(j, "batch", x, y, r, out_size=out[j] if j < len(out) else "?"))
        j += 1
    if not av:
        dims.append(DimWhy(j, "rows", A[-2], f"rows of the left = {A[-2]}", ""))
        j += 1
    if not bv:
        dims.append(DimWhy(j, "cols", B[-1], f"columns of the right = {B[-1]}", ""))
    if not batch:
        how = ""
    elif all(x == y for x, y, _ in batch):
        how = "batch dims match, "
    else:
        how = "batch dims broadcast, "
    summary = f"{shp(xs)} @ {shp(ys)} → {shp(out) if out else 'scalar'}: {how}inner {k1} = {k2} contracts"
    return Explanation(e.op, summary, tuple(dims))


def einsum(e: OpEvent, trace=None):
    eq = e.arg(0, "equation")
    out = out_shape(e)
    if not isinstance(eq, str) or out is None:
        return None
    ops = e.resolve(list(e.args[1:]))
    if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
        ops = list(ops[0])
    if not all(isinstance(t, TensorMeta) for t in ops):
        return None
    eq = eq.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ops):
        return None
    sizes: dict[str, object] = {}
    where: dict[str, str] = {}
    counts: dict[str, int] = {}
    ell = None
    for k, (term, t) in enumerate(zip(terms, ops)):
        shape = tuple(t.shape)
        if "..." in term:
            pre, post = term.split("...")
            n_ell = len(shape) - len(pre) - len(post)
            letters = list(pre) + ["…"] * n_ell + list(post)
            ell = max(ell or 0, n_ell)
        else:
            letters = list(term)
        if len(letters) != len(shape):
            return None
        for c, s in zip(letters, shape):
            if c == "…":
                continue
            counts[c] = counts.get(c, 0) + 1
            if c not in sizes or sizes[c] == 1:
                sizes[c] = s
                where[c] = f"input {k} axis {letters.index(c)}"
    if not arrow:
        rhs = ("..." if ell else "") + "".join(sorted(c for c, n in counts.items() if n == 1))
    if "..." in rhs:
        pre, post = rhs.split("...")
        out_letters = list(pre) + ["…"] * (ell or 0) + list(post)
    else:
        out_letters = list(rhs)
    if len(out_letters) != len(out):
        return None
    dims = []
    for j, c in enumerate(out_letters):
        if c == "…":
            dims.append(DimWhy(j, "…", out[j], str(out[j]), "broadcast over '...'"))
        else:
            dims.append(DimWhy(j, c, sizes.get(c, out[j]), f"{c} = {sizes.get(c, out[j])}", f"from {where.get(c, '?')}"))
    summed = [c for c in sizes if c not in out_letters]
    summary = f"einsum '{eq}': {', '.join(shp(t.shape) for t in ops)} → {shp(out)}"
    if summed:
        summary += "; sums over " + ", ".join(f"{c} ({sizes[c]})" for c in summed)
    return Explanation(e.op, summary, tuple(dims))


def embedding(e: OpEvent, trace=None):
    ids = tensor(e, 0, "input")
    w = tensor(e, 1, "weight")
    out = out_shape(e)
    if ids is None or w is None or out is None or len(w.shape) != 2:
        return None
    V, D = w.shape
    xs = tuple(ids.shape)
    lab = {1: ["L"], 2: ["N", "L"]}.get(len(xs), generic_labels(len(xs)))
    dims = [kept(j, lab[j], xs[j]) for j in range(len(xs))]
    dims.append(DimWhy(len(xs), "features", D, f"embedding_dim = {D}",
                       f"each id picks one row of W{shp(w.shape)}; ids must be < {V}"))
    summary = f"embedding: ids {shp(xs)} → {shp(out)}, one row of W{shp(w.shape)} per id"
    return Explanation(e.op, summary, tuple(dims))


_RNN_GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def rnn(e: OpEvent, trace=None):
    """torch.lstm / gru / rnn_tanh / rnn_relu as nn.LSTM/GRU/RNN call them."""
    out = out_shape(e)
    if out is None or not e.args:
        return None
    # dense: (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    # packed: (data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)
    pi = next((k for k, v in enumerate(e.args) if isinstance(v, list)), None)
    if pi is None:
        return None
    flags = e.args[pi + 1:]
    packed = pi == 3
    if len(flags) < 5:
        return None
    num_layers, bidir = flags[1], bool(flags[4])
    batch_first = bool(flags[5]) if not packed and len(flags) > 5 else False
    if not is_int(num_layers):
        return None
    x = e.resolve(e.args[0])
    if not isinstance(x, TensorMeta):
        return None
    xs = tuple(x.shape)
    D = 2 if bidir else 1
    name = e.op.rsplit(".", 1)[-1].lower()
    kind = "LSTM" if "lstm" in name else "GRU" if "gru" in name else "RNN"
    h_n = out_shape(e, 1)
    if h_n is None or not h_n:
        return None
    H = h_n[-1]
    c_n = out_shape(e, 2) if kind == "LSTM" else None
    hidden = c_n[-1] if c_n else H
    batched = len(xs) == 3 and not packed
    dims = []
    feat = D * H if is_int(H) else out[-1]
    proj = " (proj_size)" if c_n and c_n[-1] != H else ""
    f_formula = f"{D}·{H} = {feat}" if D == 2 else f"hidden_size{proj} = {H}"
    f_note = ("bidirectional: the forward and backward outputs are concatenated" if D == 2 else
              "the top layer's hidden state at every step")
    if packed:
        dims.append(kept(0, "steps", out[0]))
        dims.append(DimWhy(1, "features", feat, f_formula, f_note))
        layout = "packed sequence"
    elif batched:
        lab = ["N", "L"] if batch_first else ["L", "N"]
        dims += [kept(0, lab[0], xs[0]), kept(1, lab[1], xs[1])]
        dims.append(DimWhy(2, "features", feat, f_formula, f_note))
        layout = "batch_first=True: (N, L, features)" if batch_first else "batch_first=False: (L, N, features)"
    else:
        dims += [kept(0, "L", xs[0]), DimWhy(1, "features", feat, f_formula, f_note)]
        layout = "unbatched: (L, features)"
    for k, st in ((1, "h_n"), (2, "c_n")):
        shape = h_n if k == 1 else c_n
        if not shape:
            continue
        LD = D * num_layers
        dims.append(DimWhy(0, f"{st} layers·dirs", shape[0], f"{num_layers}·{D} = {LD}",
                           "num_layers·num_directions", k))
        if len(shape) == 3:
            dims.append(DimWhy(1, f"{st} N", shape[1], str(shape[1]),
                               "the batch is axis 1 even with batch_first=True" if batch_first else "batch", k))
        size = H if k == 1 else hidden
        dims.append(DimWhy(len(shape) - 1, f"{st} H", size, f"hidden_size{proj if k == 1 else ''} = {size}", "", k))
    extra = f", {num_layers} layers" if num_layers != 1 else ""
    extra += ", bidirectional" if bidir else ""
    states = f", h_n {shp(h_n)}" + (f", c_n {shp(c_n)}" if c_n else "")
    summary = f"{kind}{extra}, {layout}: {shp(xs)} → output {shp(out)}{states}"
    return Explanation(e.op, summary, tuple(dims))


def sdpa(e: OpEvent, trace=None):
    q, k, v = tensor(e, 0, "query"), tensor(e, 1, "key"), tensor(e, 2, "value")
    out = out_shape(e)
    if q is None or k is None or v is None or out is None or len(q.shape) < 2:
        return None
    qs, ks, vs = tuple(q.shape), tuple(k.shape), tuple(v.shape)
    L, E, S, Ev = qs[-2], qs[-1], ks[-2], vs[-1]
    n = len(out)
    lab = {4: ["N", "heads"], 3: ["N"]}.get(n, generic_labels(n - 2))
    dims = [kept(j, lab[j], out[j]) for j in range(n - 2)]
    dims.append(DimWhy(n - 2, "L", L, f"query length = {L}", f"one output row per query; keys/values have length {S}"))
    dims.append(DimWhy(n - 1, "Ev", Ev, f"value dim = {Ev}", "each output row is a weighted sum of value rows"))
    weights = shp(qs[:-1] + (S,))
    summary = (f"attention: softmax(Q{shp(qs)}·Kᵀ/√{E}) → weights {weights}, "
               f"· V{shp(vs)} → {shp(out)}")
    return Explanation(e.op, summary, tuple(dims))


def mha(e: OpEvent, trace=None):
    """F.multi_head_attention_forward(query, key, value, embed_dim, num_heads, ...): (L, N, E)."""
    q, k = tensor(e, 0, "query"), tensor(e, 1, "key")
    out = out_shape(e)
    heads = e.arg(4, "num_heads")
    if q is None or k is None or out is None or len(q.shape) not in (2, 3):
        return None
    qs = tuple(q.shape)
    lab = ["L", "N", "E"] if len(qs) == 3 else ["L", "E"]
    dims = [kept(j, lab[j], out[j]) for j in range(len(out) - 1)]
    E = out[-1]
    dims.append(DimWhy(len(out) - 1, "E", E, f"embed_dim = {E}",
                       f"{heads} heads of {E // heads if is_int(E) and is_int(heads) and heads else '?'} are concatenated and projected"))
    summary = f"multi-head attention, {heads} heads: query {shp(qs)}, key {shp(k.shape)} → {shp(out)} (sequence-first inside)"
    return Explanation(e.op, summary, tuple(dims))


def broadcast(e: OpEvent, trace=None):
    """Elementwise ops on tensors of different shapes: how they broadcast."""
    ts = [t for t in e.inputs if isinstance(t, TensorMeta)]
    out = out_shape(e)
    if len(ts) < 2 or out is None:
        return None
    shapes = [tuple(t.shape) for t in ts[:3]]
    if len(set(shapes)) == 1:
        return None
    res = _bcast(shapes[0], shapes[1])
    if res is None or len(res) != len(out) or len(shapes) > 2:
        if len(shapes) > 2:
            return Explanation(e.op, f"broadcast {', '.join(shp(s) for s in shapes)} → {shp(out)}")
        return None
    lab = generic_labels(len(out))
    dims = tuple(_bcast_dim(j, lab[j], x, y, r, out_size=out[j]) for j, (x, y, r) in enumerate(res))
    return Explanation(e.op, f"broadcast {shp(shapes[0])} with {shp(shapes[1])} → {shp(out)} "
                             f"(align right; size 1 stretches)", dims)


FULL: dict = {}
register(FULL, ["F.linear", "torch.linear"], linear)
register(FULL, both("matmul", "mm", "bmm", "addmm", "baddbmm", "__matmul__", "__rmatmul__"), matmul)
register(FULL, ["torch.einsum"], einsum)
register(FULL, ["F.embedding", "torch.embedding"], embedding)
register(FULL, ["F.scaled_dot_product_attention"], sdpa)
register(FULL, ["F.multi_head_attention_forward"], mha)
_BINARY = ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
           "__rtruediv__", "__floordiv__", "__pow__", "__mod__", "__eq__", "__ne__", "__lt__",
           "__le__", "__gt__", "__ge__", "__and__", "__or__", "__xor__", "add", "sub", "mul", "div",
           "where", "maximum", "minimum", "pow", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
           "logical_or", "atan2", "hypot", "fmod", "remainder", "true_divide", "multiply",
           "subtract", "divide", "masked_fill"]
register(FULL, both(*_BINARY), broadcast)
SHORT = {k: rnn for k in _RNN_GATES}
MODULE_TYPES = {"LSTM": rnn, "GRU": rnn, "RNN": rnn}
