"""Would the failing op accept operands of these shapes? A cheap local check, no tensors.

Used to prune candidate edits before they are validated by a re-run: an edit that cannot make
the failing op itself fit is not worth a re-run. ``None`` means "this op family is not known
here" (the candidate is kept and the re-run decides).
"""
from __future__ import annotations

from ...capture.events import OpEvent

SHAPE_EQUAL_LOSSES = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                      "binary_cross_entropy_with_logits", "soft_margin_loss", "kl_div"}
ELEMENTWISE = {"+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "add", "sub", "mul", "div", "eq", "ne",
               "+=", "-=", "*=", "/=", "where", "masked_fill", "pow", "**", "maximum", "minimum"}
MATMUL = {"matmul", "@", "mm", "bmm", "baddbmm"}


def broadcastable(a, b) -> bool:
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and x != 1 and y != 1:
            return False
    return True


def _weight(ev: OpEvent, role="weight"):
    for t in ev.inputs:
        if t.role == role:
            return t
    return ev.inputs[1] if len(ev.inputs) > 1 else None


def fits(ev: OpEvent, shapes: list[tuple]) -> bool | None:
    """``shapes``: the activations' shapes, in ``ev.activations`` order."""
    name = ev.name
    if not shapes or any(not all(isinstance(d, int) for d in s) for s in shapes):
        return None
    x = shapes[0]
    if name in ("embedding", "embedding_bag", "one_hot", "gather", "index_select"):
        return False   # ids out of range: no change of layout brings them in range
    if name.startswith("conv"):
        w = _weight(ev)
        if w is None:
            return None
        groups = ev.arg(6, "groups", 1)
        groups = groups if isinstance(groups, int) else 1
        spatial = len(w.shape) - 2
        if len(x) not in (spatial + 1, spatial + 2):
            return False
        want = w.shape[0] if name.startswith("conv_transpose") else w.shape[1] * groups
        return x[-spatial - 1] == want
    if name in ("linear", "bilinear"):
        w = _weight(ev)
        return None if w is None else (len(x) >= 1 and x[-1] == w.shape[-1])
    if name in ("batch_norm", "instance_norm"):
        stats = [t for t in ev.inputs if t.role in ("buffer", "weight", "param")]
        if not stats or len(x) < 2:
            return None if not stats else False
        return x[1] == stats[0].shape[0]
    if name == "layer_norm":
        w = _weight(ev)
        return None if w is None else tuple(x[-len(w.shape):]) == tuple(w.shape)
    if name in ("lstm", "gru", "rnn_tanh", "rnn_relu"):
        w = _weight(ev)
        return None if w is None else (len(x) in (2, 3) and x[-1] == w.shape[-1])
    if name in ("cross_entropy", "nll_loss") and len(shapes) >= 2:
        y = shapes[1]
        if y == x:
            return True
        if len(x) == 1:
            return len(y) == 0
        return len(y) == len(x) - 1 and y[0] == x[0] and tuple(y[1:]) == tuple(x[2:])
    if name in SHAPE_EQUAL_LOSSES and len(shapes) >= 2:
        return tuple(shapes[0]) == tuple(shapes[1])
    if name in ELEMENTWISE and len(shapes) >= 2:
        return broadcastable(shapes[0], shapes[1])
    if name in MATMUL and len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        if name == "bmm":
            return len(a) == 3 and len(b) == 3 and a[0] == b[0] and a[2] == b[1]
        if name == "mm":
            return len(a) == 2 and len(b) == 2 and a[1] == b[0]
        if len(a) == 1 or len(b) == 1:
            return a[-1] == b[0] if len(b) <= 2 else a[-1] == b[-2]
        if a[-1] != b[-2]:
            return False
        return broadcastable(a[:-2], b[:-2])
    if name.startswith(("avg_pool", "max_pool")) and not name.startswith(("adaptive",)):
        k = ev.arg(1, "kernel_size")
        s = ev.arg(2, "stride") or k
        p = ev.arg(3, "padding", 0) or 0
        nd = int(name[-2]) if name[-2].isdigit() else 2
        k, s, p = ([v] * nd if isinstance(v, int) else list(v) if isinstance(v, (list, tuple)) else None
                   for v in (k, s, p))
        if k is None or s is None or p is None or len(x) < nd:
            return None
        now = ev.activations[0].shape if ev.activations else ()
        if len(x) != len(now) or x[:-nd] != tuple(now[:-nd]):
            return False   # a window too large for the map is not fixed by moving channels into it
        return all((h + 2 * pp - kk) // ss + 1 >= 1 for h, kk, ss, pp in zip(x[-nd:], k, s, p))
    if name in ("dot", "vdot"):
        return len(shapes) >= 2 and len(x) == 1 and tuple(shapes[1]) == tuple(x)
    if name in ("view", "reshape"):
        req = [a for a in ev.args[1:]] if len(ev.args) > 1 else list(ev.kwargs.values())
        if len(req) == 1 and isinstance(req[0], (list, tuple)):
            req = list(req[0])
        if not req or not all(isinstance(r, int) for r in req):
            return None
        n = 1
        for d in x:
            n *= d
        known = 1
        for r in req:
            known *= r if r != -1 else 1
        return n % known == 0 if -1 in req else n == known
    if name in ("cat", "concat", "concatenate", "stack") and len(shapes) >= 2:
        dim = ev.arg(1, "dim", 0)
        dim = dim if isinstance(dim, int) else 0
        n = len(shapes[0])
        if any(len(s) != n for s in shapes):
            return False
        d = dim % n if n else 0
        if name == "stack":
            return all(tuple(s) == tuple(shapes[0]) for s in shapes)
        return all(tuple(s[:d]) + tuple(s[d + 1:]) == tuple(shapes[0][:d]) + tuple(shapes[0][d + 1:]) for s in shapes)
    return None
