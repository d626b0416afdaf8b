"""FLOPs and allocated bytes of each op of a Trace, from its shapes alone (no dispatch mode).

FLOPs follow ``torch.utils.flop_counter``'s convention (2 × multiply-adds of matmul, conv and
attention; elementwise ops, reductions, norms and pooling count 0), computed per recorded op
from its input and output shapes with one formula per op family (``FORMULAS``). So the count
needs no FakeTensorMode and no FlopCounterMode, works the same on real, meta and fake traces,
and equals FlopCounterMode on a real forward when that is given ``EXTRA_FLOP_FORMULAS`` for the
CPU kernels it has no formula of its own for (attention on CPU, the fused LSTM, mv/dot,
``_grouped_mm``).

An op without a formula counts 0 only where torch's FlopCounterMode would count it 0 as well:
its aten namesake is a leaf kernel (no CompositeImplicitAutograd decomposition that could reach
a matmul) or one of the known-zero composites (norms, softmax, pooling, losses...). Any other op
is *unknown*: the total is then labelled estimated and names it.
"""
from __future__ import annotations

from math import prod
from typing import Callable

from ..capture.events import OpEvent, TensorMeta, TensorRef, Trace


class _Unknown(Exception):
    """A size is symbolic (or the call has a form the formula does not know)."""


def _dims(m) -> tuple[int, ...]:
    if not isinstance(m, TensorMeta) or not m.known:
        raise _Unknown
    return tuple(m.shape)


def _arg(e: OpEvent, position: int, name: str):
    return e.resolve(e.arg(position, name))


def _matmul_flops(a: tuple, b: tuple) -> int:
    """torch.matmul of any ranks: 2 × broadcast batch × n × k × m (1-D operands: n or m = 1)."""
    if not a or not b:
        raise _Unknown
    n, k = (a[-2], a[-1]) if len(a) > 1 else (1, a[0])
    m = b[-1] if len(b) > 1 else 1
    batch_a, batch_b = a[:-2], b[:-2]
    width = max(len(batch_a), len(batch_b))
    batch_a = (1,) * (width - len(batch_a)) + batch_a
    batch_b = (1,) * (width - len(batch_b)) + batch_b
    batch = prod(max(x, y) for x, y in zip(batch_a, batch_b))
    return 2 * batch * n * k * m


def _matmul(e):
    return _matmul_flops(_dims(e.inputs[0]), _dims(e.inputs[1]))


def _rmatmul(e):  # a.__rmatmul__(b) is b @ a
    return _matmul_flops(_dims(e.inputs[1]), _dims(e.inputs[0]))


def _linear(e):
    x, w = _dims(_arg(e, 0, "input")), _dims(_arg(e, 1, "weight"))
    return 2 * prod(x[:-1]) * prod(w)


def _addmm_like(e):  # addmm/baddbmm/addbmm/addmv(input, a, b): the product a @ b
    return _matmul_flops(_dims(e.inputs[1]), _dims(e.inputs[2]))


def _conv(transposed: bool | None):
    def formula(e):
        x, w = _dims(_arg(e, 0, "input")), _dims(_arg(e, 1, "weight"))
        out = _dims(e.outputs[0])
        flip = transposed if transposed is not None else bool(_arg(e, 6, "transposed"))
        if len(x) == len(w):
            batch, x_sp, out_sp = x[0], x[2:], out[2:]
        else:  # unbatched input
            batch, x_sp, out_sp = 1, x[1:], out[1:]
        return 2 * batch * prod(x_sp if flip else out_sp) * prod(w)
    return formula


def _sdpa(e):
    q, k, v = (_dims(t) for t in e.inputs[:3])
    return 2 * prod(q[:-2]) * q[-2] * k[-2] * (q[-1] + v[-1])


def _mha(e):
    """F.multi_head_attention_forward (sequence first): the q/k/v projections, q@kᵀ, p@v and
    the output projection."""
    q, k, v = (_dims(t) for t in e.inputs[:3])
    lq, lk = q[0], k[0]
    n = prod(q[1:-1]) if len(q) == 3 else 1
    embed = q[-1]
    att_k = lk + (1 if _arg(e, 7, "bias_k") is not None else 0) + (1 if _arg(e, 9, "add_zero_attn") else 0)
    proj = 2 * n * embed * (lq * embed + lk * k[-1] + lk * v[-1])
    return proj + 4 * n * lq * att_k * embed + 2 * n * lq * embed * embed


def _rnn(e):
    """torch.lstm/gru/rnn_*: every weight matrix is applied once per step of each sequence."""
    data = _dims(_arg(e, 0, "input"))
    groups = [a for a in e.args[1:4] if isinstance(a, (list, tuple)) and a
              and all(isinstance(t, TensorRef) for t in a)]
    if not groups:
        raise _Unknown
    weights = [_dims(e.resolve(t)) for t in groups[-1]]
    steps = prod(data[:-1])
    return sum(2 * steps * prod(w) for w in weights if len(w) == 2)


def _rnn_cell(e):
    x = _dims(_arg(e, 0, "input"))
    w_ih, w_hh = _dims(_arg(e, 2, "w_ih")), _dims(_arg(e, 3, "w_hh"))
    return 2 * prod(x[:-1]) * (prod(w_ih) + prod(w_hh))


def _grouped_mm(e):
    """torch._grouped_mm: 2·M·N·K summed over the groups the offsets cut."""
    a, b = _dims(e.inputs[0]), _dims(e.inputs[1])
    out = _dims(e.outputs[0])
    if len(a) == 2 and len(b) == 2:  # K is cut into groups: out [G, M, N]
        return 2 * a[0] * b[1] * a[1]
    return 2 * prod(out) * a[-1]


def _tensordot(e):
    a, b = _dims(e.inputs[0]), _dims(e.inputs[1])
    dims = e.arg(2, "dims", 2)
    if isinstance(dims, int):
        contracted_b = list(range(dims))
    elif isinstance(dims, (list, tuple)) and len(dims) == 2:
        contracted_b = [d for d in (dims[1] if isinstance(dims[1], (list, tuple)) else [dims[1]])]
    else:
        raise _Unknown
    free_b = prod(s for i, s in enumerate(b) if i not in {d % len(b) for d in contracted_b})
    return 2 * prod(a) * free_b


def _multi_dot(e):
    """torch.linalg.multi_dot / chain_matmul: the cheapest order, as torch picks it."""
    mats = [_dims(t) for t in e.inputs]
    if len(mats) < 2:
        return 0
    shapes = [(m[0] if len(m) > 1 else 1, m[-1]) if i == 0 else (m[0], m[1] if len(m) > 1 else 1)
              for i, m in enumerate(mats)]
    n = len(shapes)
    p = [shapes[0][0]] + [s[1] for s in shapes]
    cost = [[0] * n for _ in range(n)]
    for span in range(1, n):
        for i in range(n - span):
            j = i + span
            cost[i][j] = min(cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1] for k in range(i, j))
    return 2 * cost[0][n - 1]


def _einsum(e):
    """torch.einsum, contracted left to right as torch does without opt_einsum: each pair costs
    2 × the product of the sizes of its remaining indices; a pair with nothing to sum is a
    multiplication (0)."""
    import torch
    equation = e.arg(0, "equation")
    metas = [m for m in e.inputs]
    if not isinstance(equation, str) or not metas:
        raise _Unknown
    if len(metas) > 2 and torch.backends.opt_einsum.is_available() and torch.backends.opt_einsum.enabled:
        raise _Unknown  # opt_einsum chooses the order
    lhs, _, rhs = equation.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if len(terms) != len(metas):
        raise _Unknown
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in equation)
    ell = [next(spare) for _ in range(8)]
    operands = []
    for term, m in zip(terms, metas):
        shape = _dims(m)
        if "..." in term:
            n_ell = len(shape) - (len(term) - 3)
            term = term.replace("...", "".join(ell[8 - n_ell:]) if n_ell else "")
        if len(term) != len(shape):
            raise _Unknown
        operands.append(dict(zip(term, shape)))
    if "->" in equation:
        out = set(rhs.replace("...", "".join(ell)))
    else:
        counts: dict[str, int] = {}
        for op in operands:
            for c in op:
                counts[c] = counts.get(c, 0) + 1
        out = {c for c, n in counts.items() if n == 1} | set(ell)
    flops = 0
    current = operands[0]
    for i, right in enumerate(operands[1:], start=1):
        later = set().union(*(set(o) for o in operands[i + 1:])) | out
        left = {c: s for c, s in current.items() if c in right or c in later}
        right = {c: s for c, s in right.items() if c in left or c in later}
        summed = {c for c in left if c in right and c not in later}
        merged = {**left, **{c: max(s, left.get(c, 1)) for c, s in right.items()}}
        if summed:
            flops += 2 * prod(merged.values())
        current = {c: s for c, s in merged.items() if c not in summed}
    return flops


def _bilinear(e):
    """F.bilinear(x1, x2, W[out, in1, in2]): x1ᵀ W x2 per output feature. FlopCounterMode counts
    its ``_trilinear`` kernel as 0; these are the multiply-adds it does."""
    x1, w = _dims(e.inputs[0]), _dims(_arg(e, 2, "weight"))
    return 2 * prod(x1[:-1]) * prod(w)


def _zero(e):
    return 0


FORMULAS: dict[str, Callable[[OpEvent], int]] = {
    "linear": _linear,
    "matmul": _matmul, "__matmul__": _matmul, "__rmatmul__": _rmatmul, "mm": _matmul,
    "bmm": _matmul, "mv": _matmul, "dot": _matmul, "vdot": _matmul, "inner": _matmul,
    "addmm": _addmm_like, "baddbmm": _addmm_like, "addbmm": _addmm_like, "addmv": _addmm_like,
    "conv1d": _conv(False), "conv2d": _conv(False), "conv3d": _conv(False),
    "conv_transpose1d": _conv(True), "conv_transpose2d": _conv(True), "conv_transpose3d": _conv(True),
    "convolution": _conv(None), "_convolution": _conv(None),
    "scaled_dot_product_attention": _sdpa,
    "multi_head_attention_forward": _mha,
    "lstm": _rnn, "gru": _rnn, "rnn_tanh": _rnn, "rnn_relu": _rnn,
    "lstm_cell": _rnn_cell, "gru_cell": _rnn_cell, "rnn_tanh_cell": _rnn_cell, "rnn_relu_cell": _rnn_cell,
    "_grouped_mm": _grouped_mm, "grouped_mm": _grouped_mm,
    "tensordot": _tensordot, "multi_dot": _multi_dot, "chain_matmul": _multi_dot,
    "einsum": _einsum, "bilinear": _bilinear,
    # products without a reduction: elementwise multiplications (FlopCounterMode: 0)
    "outer": _zero, "ger": _zero, "addr": _zero, "kron": _zero,
}

# Composite ops (they decompose in aten) that only ever reach zero-FLOP kernels.
ZERO_COMPOSITES = frozenset({
    "layer_norm", "group_norm", "batch_norm", "instance_norm", "rms_norm", "local_response_norm",
    "normalize", "softmax", "log_softmax", "softmin", "dropout", "dropout1d", "dropout2d",
    "dropout3d", "alpha_dropout", "feature_alpha_dropout", "max_pool1d", "max_pool2d",
    "max_pool3d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
    "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "lp_pool1d", "lp_pool2d", "cross_entropy", "cross_entropy_loss", "nll_loss", "mse_loss",
    "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "cosine_similarity", "pairwise_distance",
    "interpolate", "upsample", "pad", "embedding", "one_hot", "flatten", "unflatten", "reshape",
    "reshape_as", "view_as", "expand_as", "type_as", "chunk", "split", "tensor_split", "unbind",
    "contiguous", "to", "float", "double", "half", "bfloat16", "long", "int", "bool", "type",
    "cpu", "masked_fill", "where", "repeat_interleave", "stack", "hstack", "vstack", "dstack",
    "column_stack", "broadcast_to", "broadcast_tensors", "meshgrid", "atleast_1d", "atleast_2d",
    "atleast_3d", "movedim", "moveaxis", "swapaxes", "swapdims", "flip", "roll", "rot90",
    "square", "relu6", "hardtanh", "silu", "mish", "hardswish", "hardsigmoid", "gelu", "elu",
    "selu", "celu", "glu", "logsigmoid", "softplus", "softsign", "tanhshrink", "threshold",
    "leaky_relu", "prelu", "rrelu", "sigmoid", "tanh", "norm", "frobenius_norm", "vector_norm",
    "std", "var", "std_mean", "var_mean", "mean", "sum", "cumsum", "cumprod", "logsumexp",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "fold",
    "unfold", "im2col", "col2im", "affine_grid", "grid_sample", "isclose", "allclose", "clone",
    "detach", "new_zeros", "new_ones", "new_full", "new_empty", "new_tensor", "zeros_like",
    "ones_like", "full_like", "empty_like", "rand_like", "randn_like", "randint_like", "arange",
    "linspace", "logspace", "triu", "tril", "diag", "diag_embed", "diagonal", "trace", "select",
    "index_select", "gather", "scatter", "scatter_add", "take_along_dim", "narrow", "squeeze",
    "unsqueeze", "permute", "transpose", "t", "expand", "repeat", "tile", "view", "sort",
    "argsort", "topk", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any", "clamp",
    "clip", "abs", "exp", "log", "sqrt", "rsqrt", "pow", "float_power", "sign", "round", "floor",
    "ceil", "cat", "concat", "concatenate", "dropout_", "baddbmm_", "tensor", "as_tensor",
    "from_numpy", "zeros", "ones", "full", "empty", "rand", "randn", "randint", "randperm",
    "bernoulli", "multinomial", "normal", "eye", "complex", "polar", "view_as_real",
    "view_as_complex", "real", "imag", "masked_select", "nonzero", "argwhere", "unique",
    "bincount", "histc", "searchsorted", "bucketize", "item", "numel", "size", "ctc_loss",
    "embedding_bag", "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "multilabel_margin_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "cosine_embedding_loss", "multi_margin_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "gumbel_softmax",
})

_kinds: dict[str, bool] = {}


def _zero_kernel(name: str) -> bool:
    """The aten op of this name never reaches a FLOP-counted kernel: it is tagged pointwise, a
    leaf kernel (no CompositeImplicitAutograd overload) or a known zero-FLOP composite."""
    hit = _kinds.get(name)
    if hit is not None:
        return hit
    base = name.removesuffix("_") if not name.startswith("__") else name
    if name.startswith("__"):  # Python operators other than @: elementwise, compare, index
        result = True
    elif base in ZERO_COMPOSITES:
        result = True
    else:
        import torch
        packet = getattr(torch.ops.aten, base, None)
        result = False
        if packet is not None:
            try:
                overloads = packet.overloads()
                names = [packet._qualified_op_name + ("" if o == "default" else f".{o}") for o in overloads]
                pointwise = any(torch.Tag.pointwise in getattr(packet, o).tags for o in overloads)
                result = pointwise or (bool(names) and not any(torch._C._dispatch_has_kernel_for_dispatch_key(
                    n, "CompositeImplicitAutograd") for n in names))
            except Exception:  # noqa: BLE001 - an odd registration: treat as unknown
                result = False
    _kinds[name] = result
    return result


def short_name(op: str) -> str:
    return op.rsplit(".", 1)[-1]


def event_flops(e: OpEvent) -> int | None:
    """FLOPs of one op; None when there is no formula for it (or a size is symbolic)."""
    if e.error:
        return 0
    name = short_name(e.op).removeprefix("linalg_")  # torch.linalg.linalg_multi_dot
    formula = FORMULAS.get(name) or FORMULAS.get(name.removesuffix("_"))
    if formula is None:
        return 0 if _zero_kernel(name) else None
    try:
        return int(formula(e))
    except (_Unknown, TypeError, ValueError, IndexError):
        return None


def trace_flops(trace: Trace) -> tuple[list[int], dict[str, int]]:
    """FLOPs per event (unknown ones as 0) and the ops that had no formula, with their counts."""
    flops: list[int] = []
    unknown: dict[str, int] = {}
    for e in trace.events:
        f = event_flops(e)
        if f is None:
            unknown[e.op] = unknown.get(e.op, 0) + 1
            f = 0
        flops.append(f)
    return flops, unknown


# -- for FlopCounterMode on a real forward -------------------------------------------------------
def _extra_formulas() -> dict:
    """Formulas for aten kernels torch.utils.flop_counter has none for (it counts them as 0):
    attention on CPU, the fused CPU LSTM layer, mv/dot/addmv/addbmm and ``_grouped_mm``. Pass
    this as ``FlopCounterMode(custom_mapping=...)`` to count a real forward as the summary does."""
    import torch
    from torch.utils.flop_counter import flop_registry, sdpa_flop_count

    def sdpa(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
        return sdpa_flop_count(query_shape, key_shape, value_shape)

    def mkldnn_rnn_layer(input_shape, w_ih_shape, w_hh_shape, *args, out_shape=None, **kwargs) -> int:
        steps = prod(input_shape[:-1])
        return 2 * steps * prod(w_ih_shape) + 2 * steps * prod(w_hh_shape)

    def two(a_shape, b_shape, *args, out_shape=None, **kwargs) -> int:
        return _matmul_flops(tuple(a_shape), tuple(b_shape))

    def three(input_shape, a_shape, b_shape, *args, out_shape=None, **kwargs) -> int:
        return _matmul_flops(tuple(a_shape), tuple(b_shape))

    def grouped(a_shape, b_shape, *args, out_shape=None, **kwargs) -> int:
        a, b, out = tuple(a_shape), tuple(b_shape), tuple(out_shape)
        return 2 * a[0] * b[1] * a[1] if len(a) == 2 and len(b) == 2 else 2 * prod(out) * a[-1]

    aten = torch.ops.aten
    extra = {}
    for name, formula in (("_scaled_dot_product_flash_attention_for_cpu", sdpa),
                          ("mkldnn_rnn_layer", mkldnn_rnn_layer), ("mv", two), ("dot", two),
                          ("vdot", two), ("addmv", three), ("addbmm", three), ("_grouped_mm", grouped)):
        packet = getattr(aten, name, None)
        if packet is not None and packet not in flop_registry:
            extra[packet] = formula
    return extra


_extra_cache: dict = {}


def __getattr__(name: str):
    """``EXTRA_FLOP_FORMULAS``, built on first use (so importing this module needs no
    torch.utils.flop_counter)."""
    if name == "EXTRA_FLOP_FORMULAS":
        if not _extra_cache:
            _extra_cache.update(_extra_formulas())
        return _extra_cache
    raise AttributeError(name)
