"""How each op family carries axes from its inputs to its outputs (the tables of provenance.py).

Every handler is ``handler(amap, ev, ins) -> [axes of output 0, axes of output 1, …]`` or None
(then ``fallback``: same-rank outputs keep each input axis whose size is unchanged and get a new
axis of the same role where the size changed). Which op names use which handler is data: FAMILY.
"""
from __future__ import annotations

from ...analysis.explain import norm_dim
from ...analysis.explain_layout import _permutation
from ...capture.events import OpEvent, TensorRef
from .axes import UNKNOWN, WEAK, Atom, Axis, AxisMap, reshape_axes
from .common import _short

NEW = Axis((Atom("new", 1, 0, 1, 1),))
REDUCED = Axis((Atom("reduced", 1, 0, 1, 1),))

CONV_SPATIAL = {1: ("time",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _shape(ev: OpEvent, j: int = 0) -> tuple:
    return tuple(ev.outputs[j].shape) if j < len(ev.outputs) else ()


def main_role(amap: AxisMap, axis: Axis) -> str:
    for p in axis.parts:
        if p.size != 1:
            return amap.role(p)
    return axis.parts[0].role if axis.parts else "unit"


def resized(amap: AxisMap, ev: OpEvent, axis: Axis, size, j: int, d: int) -> Axis:
    """The same axis after a size change (pool, pad, slice): a new axis with the same role."""
    if axis.size == size:
        return axis
    if axis.mixed:
        return Axis(axis.parts, True, axis.why, size if isinstance(size, int) else 0)
    return amap.fresh(main_role(amap, axis), size, ev.index, j, d)


def fallback(amap: AxisMap, ev: OpEvent, ins) -> list:
    src = next((ins[k] for k, t in enumerate(ev.inputs) if t.role in ("", "input")), ins[0] if ins else None)
    outs = []
    for j, o in enumerate(ev.outputs):
        shape = tuple(o.shape)
        if src is not None and len(src) == len(shape):
            outs.append(tuple(resized(amap, ev, a, s, j, d) for d, (a, s) in enumerate(zip(src, shape))))
        else:
            outs.append(tuple(amap.fresh(UNKNOWN, s, ev.index, j, d) for d, s in enumerate(shape)))
    return outs


# -- layout ------------------------------------------------------------------------------------

def reshape(amap, ev, ins):
    out = reshape_axes(ins[0], _shape(ev), amap.role)
    if out is None:
        return None
    x = ins[0]
    # only size-1 axes appear or vanish: keep what they were (new, reduced)
    if [a for a in x if a.size != 1] == [a for a in out if a.size != 1]:
        ones = iter([a for a in x if a.size == 1])
        out = tuple(a if a.size != 1 else next(ones, a) for a in out)
    return [out]


def squeeze(amap, ev, ins):
    x = ins[0]
    d = ev.arg(1, "dim", None)
    asked = d if isinstance(d, (list, tuple)) else ([] if d is None else [d])
    dims = {norm_dim(v, len(x)) for v in asked}
    keep = tuple(a for i, a in enumerate(x) if not (a.size == 1 and (not asked or i in dims)))
    return [keep] if len(keep) == len(_shape(ev)) else None


def unsqueeze(amap, ev, ins):
    x = ins[0]
    d = ev.arg(1, "dim")
    if not isinstance(d, int):
        return None
    a = d + len(x) + 1 if d < 0 else d
    return [x[:a] + (NEW,) + x[a:]]


def permute(amap, ev, ins):
    x = ins[0]
    perm = _permutation(ev, len(x))
    return None if perm is None else [tuple(x[p] for p in perm)]


def expand(amap, ev, ins):
    x = ins[0]
    shape = _shape(ev)
    lead = len(shape) - len(x)
    out = [amap.fresh("new", s, ev.index, 0, d) for d, s in enumerate(shape[:lead])]
    for d, (a, s) in enumerate(zip(x, shape[lead:]), start=lead):
        out.append(a if a.size == s else amap.fresh("new", s, ev.index, 0, d))
    return [tuple(out)]


def getitem(amap, ev, ins):
    x = ins[0]
    idx = ev.arg(1, "idx")
    items = list(idx) if isinstance(idx, tuple) else [idx]
    if isinstance(items[0], TensorRef) and all(i == slice(None) for i in items[1:]):
        return _take_rows(amap, ev, ins, items[0])
    if any(isinstance(i, (TensorRef, list)) for i in items):
        return None
    if "..." in items:
        k = items.index("...")
        fill = len(x) - (len(items) - 1 - items.count(None))
        items = items[:k] + [slice(None)] * fill + items[k + 1:]
    out, d = [], 0
    shape = _shape(ev)
    for it in items:
        if it is None:
            out.append(NEW)
            continue
        if d >= len(x):
            return None
        if isinstance(it, slice):
            j = len(out)
            if j >= len(shape):
                return None
            a = x[d]
            if a.size == shape[j]:
                out.append(a)
            else:
                b = resized(amap, ev, a, shape[j], 0, j)
                if not ev.module and it.start is not None and it.stop is not None and it.step is None \
                        and len(a.parts) == 1 and a.parts[0].whole:
                    # data[i:i + bs]: maybe a batch cut from the data set. Not when the axis is a digit
                    # of a reshaped one (a stream batchified to [T, B] and cut into bptt windows)
                    amap.sliced.update(b.uids)
                out.append(b)
        d += 1
    out += list(x[d:])
    return [tuple(out)] if len(out) == len(shape) else None


def _take_rows(amap, ev, ins, ref):
    """``data[idx]`` with a 1-D index or mask: rows picked from dim 0 (outside the model: a batch)."""
    x, shape = ins[0], _shape(ev)
    if len(ev.inputs[ref.index].shape) != 1 or len(shape) != len(x) or not x:
        return None
    rows = amap.fresh(main_role(amap, x[0]), shape[0], ev.index, 0, 0)
    if not ev.module:
        amap.sliced.update(rows.uids)
    return [(rows,) + tuple(x[1:])]


def cat(amap, ev, ins):
    ts = [ins[r.index] for r in (ev.arg(0, "tensors") or ()) if isinstance(r, TensorRef)]
    shape = _shape(ev)
    ts = [t for t in ts if len(t) == len(shape)]
    if not ts:
        return None
    a = norm_dim(ev.kwargs.get("axis", ev.arg(1, "dim", 0)), len(shape))
    if a is None:
        return None
    first = ts[0]
    x = first[a]
    if len(ts) > 1 and all(t[a].size == x.size for t in ts) and len(x.parts) == 1 and x.parts[0].whole \
            and (main_role(amap, x) == "batch" or not ev.module and main_role(amap, x) in WEAK) and not x.mixed:
        # k equal batches one after the other ([x, flip(x)], [real, fake]): the new axis is (k, batch),
        # the piece index outermost, so a view(B, k, …) that reads it as (batch, k) is a regroup
        piece = amap.atom(UNKNOWN, len(ts), ev.index, 0, a, f"the {len(ts)} pieces of {ev.name} at dim {a}")
        amap.pieces.add(piece.uid)
        return [first[:a] + (Axis((piece,) + x.parts),) + first[a + 1:]]
    return [tuple(resized(amap, ev, first[d], s, 0, d) if d == a else first[d] for d, s in enumerate(shape))]


def stack(amap, ev, ins):
    refs = [r for r in (ev.arg(0, "tensors") or ()) if isinstance(r, TensorRef)]
    shape = _shape(ev)
    if not refs:
        return None
    a = norm_dim(ev.arg(1, "dim", 0), len(shape))
    first = ins[refs[0].index]
    k = len(refs)
    collate = not ev.module and a == 0 and k in amap.batch_sizes | amap.loader_sizes
    role = "batch" if collate else UNKNOWN
    note = f"the DataLoader batch {_fmt(shape)} dim 0" if collate else ""
    new = amap.fresh(role, k, ev.index, 0, a, note)
    if collate:
        amap.strong.update(new.uids)
    elif not ev.module and a == 0 and k > 1:
        amap.sliced.update(new.uids)  # samples stacked by hand: maybe a batch
    return [first[:a] + (new,) + first[a:]]


def unbind(amap, ev, ins):
    x = ins[0]
    a = norm_dim(ev.arg(1, "dim", 0), len(x))
    if a is None:
        return None
    rest = x[:a] + x[a + 1:]
    return [rest for _ in ev.outputs]


# -- reductions ---------------------------------------------------------------------------------

def reduce(amap, ev, ins):
    x = ins[0]
    if not x:
        return None
    d = ev.arg(2 if _short(ev) in NORMS else 1, "dim", None)
    if isinstance(d, str):
        d = None
    dims = list(d) if isinstance(d, (list, tuple)) else ([] if d is None else [d])
    dims = {norm_dim(v, len(x)) for v in dims} or set(range(len(x)))
    outs = []
    for j, o in enumerate(ev.outputs):
        shape = tuple(o.shape)
        if len(shape) == len(x):
            outs.append(tuple(REDUCED if i in dims and shape[i] == 1 else a for i, a in enumerate(x)))
        else:
            kept = tuple(a for i, a in enumerate(x) if i not in dims)
            outs.append(kept if len(kept) == len(shape) else tuple(amap.fresh(UNKNOWN, s, ev.index, j, i)
                                                                   for i, s in enumerate(shape)))
    return outs


# -- elementwise with broadcasting --------------------------------------------------------------

def operands(ev: OpEvent, ins) -> list[int]:
    """Input indices of the tensors taking part in an elementwise op (in argument order)."""
    return [k for k, t in enumerate(ev.inputs) if t.shape is not None]


def broadcast(amap, ev, ins):
    shape = _shape(ev)
    ks = operands(ev, ins)
    if not ks:
        return None
    out = []
    n = len(shape)
    for i in range(1, n + 1):
        pick = None
        for k in ks:
            axes = ins[k]
            if i <= len(axes):
                a = axes[-i]
                if a.size == shape[-i] and (pick is None or (pick.size == 1 and a.size != 1)
                                            or main_role(amap, pick) in WEAK and main_role(amap, a) not in WEAK):
                    pick = a
        out.append(pick if pick is not None else amap.fresh("new", shape[-i], ev.index, 0, n - i))
    return [tuple(reversed(out))]


# -- layers ------------------------------------------------------------------------------------

def linear(amap, ev, ins):
    x = ins[0]
    shape = _shape(ev)
    if not x or len(shape) != len(x):
        return None
    amap.learn(x[-1], "feature")
    return [x[:-1] + (amap.fresh("feature", shape[-1], ev.index, 0, len(shape) - 1,
                                 f"the output features of {ev.module or ev.name}"),)]


def conv(amap, ev, ins):
    x = ins[0]
    shape = _shape(ev)
    nsp = int(_short(ev)[-2]) if _short(ev)[-2].isdigit() else len(x) - 2
    roles = CONV_SPATIAL.get(nsp, ())
    if len(shape) != len(x) or len(x) not in (nsp + 1, nsp + 2):
        return None
    c = len(x) - nsp - 1  # the channel dim: 1, or 0 for an unbatched input
    amap.learn(x[c], "channel")
    for a, r in zip(x[c + 1:], roles):
        amap.learn(a, r)
    out = list(x[:c]) + [amap.fresh("channel", shape[c], ev.index, 0, c, f"the output channels of {ev.module or ev.name}")]
    out += [resized(amap, ev, a, s, 0, d) for d, (a, s) in enumerate(zip(x[c + 1:], shape[c + 1:]), start=c + 1)]
    return [tuple(out)]


def channel_norm(amap, ev, ins):
    x = ins[0]
    if len(x) >= 2:
        amap.learn(x[1], "channel" if len(x) > 2 else "feature")
    return [x]


def embedding(amap, ev, ins):
    x = ins[0]
    shape = _shape(ev)
    if len(shape) != len(x) + 1:
        return None
    return [x + (amap.fresh("embedding", shape[-1], ev.index, 0, len(x), f"the vectors of {ev.module or 'embedding'}"),)]


def rnn(amap, ev, ins):
    x = ins[0]
    bf = ev.args[-1] if ev.args and isinstance(ev.args[-1], bool) else False
    if len(x) not in (2, 3) or len(ev.args) < 9:
        return None
    t = 1 if bf and len(x) == 3 else 0
    b = 1 - t
    if len(x) == 3 and x[t].uids & amap.guessed and main_role(amap, x[b]) in WEAK:
        # the model's dim 0 was taken for the batch on no evidence; this RNN reads it as time
        for uid in x[t].uids:
            amap.role_of[uid] = "time"
        amap.guessed -= x[t].uids
        amap.learn(x[b], "batch", ev.index, f"the batch axis of {ev.module or ev.name}")
    amap.learn(x[t], "time")
    amap.learn(x[-1], "feature")  # the input_size values read at each step
    out = x[:-1] + (amap.fresh("feature", _shape(ev)[-1], ev.index, 0, len(x) - 1, f"the hidden state of {ev.module or ev.name}"),)
    outs = [out]
    for j in range(1, len(ev.outputs)):
        shape = _shape(ev, j)
        if len(x) == 3 and len(shape) == 3:
            b = x[0] if bf else x[1]
            outs.append((amap.fresh("layer", shape[0], ev.index, j, 0, f"the layers×directions of {ev.module or ev.name}"),
                         b, amap.fresh("feature", shape[2], ev.index, j, 2)))
        else:
            outs.append(tuple(amap.fresh(UNKNOWN, s, ev.index, j, d) for d, s in enumerate(shape)))
    return outs


def mha(amap, ev, ins):
    q, k = ins[0], ins[1]
    if len(q) != 3:
        return None
    amap.learn(q[0], "time")
    out = [(q[0], q[1], amap.fresh("feature", _shape(ev)[-1], ev.index, 0, 2))]
    if len(ev.outputs) > 1 and len(_shape(ev, 1)) == 3 and len(k) == 3:
        out.append((q[1], q[0], k[0]))
    return out + [tuple(amap.fresh(UNKNOWN, s, ev.index, j, d) for d, s in enumerate(_shape(ev, j)))
                  for j in range(len(out), len(ev.outputs))]


def sdpa(amap, ev, ins):
    q, v = ins[0], ins[2] if len(ins) > 2 else ins[-1]
    if len(q) < 2 or len(_shape(ev)) != len(q):
        return None
    return [q[:-1] + v[-1:]]


def matmul(amap, ev, ins):
    ks = [k for k, t in enumerate(ev.inputs)][:2]
    if len(ks) < 2:
        return None
    a, b = ins[ks[0]], ins[ks[1]]
    shape = _shape(ev)
    if len(a) == 1 and len(b) == 1:
        return [()]
    if len(b) == 1:
        out = a[:-1]
    elif len(a) == 1:
        out = b[:-2] + b[-1:]
    else:
        lead = len(shape) - 2
        pa, pb = a[:-2], b[:-2]
        batch = []
        for i in range(1, lead + 1):
            xa = pa[-i] if i <= len(pa) else None
            xb = pb[-i] if i <= len(pb) else None
            # a batch dim both operands have is one index into both; where it is a digit of the axis
            # an operand keeps (heads of v's features in weights @ v), it is that operand's, so a
            # later merge of heads with head_dim reads one axis again
            if xa is not None and xb is not None and xa.size == xb.size != 1 \
                    and xb.uids & b[-1].uids and not xa.uids & a[-2].uids:
                batch.append(xb)
                continue
            batch.append(xa if xa is not None and (xb is None or xa.size != 1) else xb)
        out = tuple(reversed(batch)) + (a[-2], b[-1])
    return [tuple(out)] if len(out) == len(shape) else None


def einsum(amap, ev, ins):
    eq = ev.arg(0, "equation")
    if not isinstance(eq, str) or "..." in eq or "->" not in eq:
        return None
    lhs, rhs = eq.replace(" ", "").split("->")
    specs = lhs.split(",")
    tensors = [ins[k] for k in range(len(ev.inputs))]
    if len(specs) != len(tensors):
        return None
    letter = {}
    for spec, axes in zip(specs, tensors):
        if len(spec) != len(axes):
            return None
        for ch, a in zip(spec, axes):
            if ch not in letter or letter[ch].size == 1:
                letter[ch] = a
    return [tuple(letter[ch] for ch in rhs)] if all(ch in letter for ch in rhs) else None


def cdist(amap, ev, ins):
    a, b = ins[0], ins[1]
    if len(a) < 2 or len(b) < 2:
        return None
    return [a[:-1] + (b[-2],)]


def one_hot(amap, ev, ins):
    x = ins[0]
    return [x + (amap.fresh("class", _shape(ev)[-1], ev.index, 0, len(x)),)]


def _fmt(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


# -- the table ------------------------------------------------------------------------------------

BROADCAST = {
    "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__", "__mul__", "__rmul__",
    "__imul__", "__truediv__", "__rtruediv__", "__itruediv__", "__floordiv__", "__pow__", "__rpow__",
    "__mod__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__or__",
    "__xor__", "add", "sub", "mul", "div", "true_divide", "eq", "ne", "lt", "le", "gt", "ge",
    "maximum", "minimum", "where", "pow", "atan2", "masked_fill", "add_", "sub_", "mul_", "div_",
    "fmod", "remainder", "lerp", "addcmul", "addcdiv", "hypot", "logical_and", "logical_or",
    "masked_fill_", "clamp", "subtract", "multiply", "divide", "greater", "less", "isclose",
}
REDUCE = {"sum", "mean", "amax", "amin", "max", "min", "std", "var", "norm", "logsumexp", "prod",
          "argmax", "argmin", "all", "any", "median", "mode", "nansum", "nanmean", "count_nonzero",
          "std_mean", "var_mean", "nanmedian", "linalg_vector_norm", "linalg_norm", "vector_norm"}
# reductions whose dim comes after an order argument: x.norm(p, dim), torch.linalg.vector_norm(x, ord, dim)
NORMS = {"norm", "linalg_vector_norm", "linalg_norm", "vector_norm"}

FAMILY = {}
for _names, _handler in (
    (("view", "reshape", "flatten", "unflatten", "view_as", "reshape_as"), reshape),
    (("squeeze",), squeeze), (("unsqueeze",), unsqueeze),
    (("permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis"), permute),
    (("expand", "expand_as", "broadcast_to"), expand),
    (("__getitem__",), getitem), (("cat", "concat", "concatenate"), cat), (("stack",), stack),
    (("unbind",), unbind), (REDUCE, reduce), (BROADCAST, broadcast),
    (("linear",), linear), (("bilinear",), linear),
    (("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"), conv),
    (("batch_norm", "instance_norm", "group_norm"), channel_norm),
    (("embedding",), embedding), (("lstm", "gru", "rnn_tanh", "rnn_relu"), rnn),
    (("multi_head_attention_forward",), mha), (("scaled_dot_product_attention",), sdpa),
    (("matmul", "__matmul__", "__rmatmul__", "bmm", "mm", "mv"), matmul), (("einsum",), einsum),
    (("cdist",), cdist), (("one_hot",), one_hot),
):
    for _n in _names:
        FAMILY[_n] = _handler


def propagate(amap: AxisMap, ev: OpEvent, ins) -> list | None:
    handler = FAMILY.get(_short(ev))
    if handler is None or not ins or not ev.outputs:
        return None
    outs = handler(amap, ev, ins)
    if outs is None:
        return None
    if len(outs) < len(ev.outputs):
        outs = list(outs) + fallback(amap, ev, ins)[len(outs):]
    for axes, o in zip(outs, ev.outputs):
        if len(axes) != len(o.shape):
            return None
    return outs


# -- seeds ---------------------------------------------------------------------------------------

def seed_model_input(amap: AxisMap, ev: OpEvent, ins, call) -> None:
    """The input of the model (a top-level module call): its batch axis, if nothing named it yet."""
    if call.type.endswith("Loss"):
        return
    main = None
    for k, meta in enumerate(call.inputs):
        axes = amap.axes_for(meta, ev.index, k)
        if not axes:
            continue
        roles = [main_role(amap, a) for a in axes]
        key = (call.path, k, len(axes))
        if "batch" in roles:
            main = main or axes[roles.index("batch")].size
            amap.input_dims.setdefault(key, roles.index("batch"))
            continue
        marked = [d for d, a in enumerate(axes) if a.uids & amap.sliced]
        dim = 0 if 0 in marked else (marked[0] if marked else None)
        sizes = amap.batch_sizes | amap.loader_sizes
        known = amap.input_dims.get(key)
        if dim is None and known is not None:
            # the same module took a batch of this rank before, at this dim: a later call
            # ([1, T] at generation) keeps it even when another axis happens to have the batch's size
            dim = known
        guessed = dim is None and not (sizes and any(a.size in sizes for a in axes))
        if dim is None:
            if sizes and axes[0].size not in sizes and main is None:
                dim = next((d for d, a in enumerate(axes) if a.size in sizes), 0)
            else:
                dim = 0
        if main is not None and axes[dim].size != main:
            continue
        own = [p for p in axes[dim].parts if p.uid not in amap.pieces]
        lead = own[0] if own else None
        if len(axes[dim].uids) > 1 and not axes[dim].mixed and lead is not None and lead.whole \
                and (lead.uid in amap.sliced or len(own) == 1 or all(amap.role(p) in WEAK for p in own)) \
                and amap.role(lead) in WEAK:
            # samples folded with other axes before the call ([N·T, C, H, W]; [x, flip(x)] one after
            # the other; [speakers·utterances, T, F]): the samples cut from the data, or the outermost
            # of axes nothing else names, lead the merged axis, and they are the batch
            amap.role_of[lead.uid] = "batch"
        amap.learn(axes[dim], "batch", ev.index, f"the input of {call.type} {_fmt(meta.shape)} dim {dim}")
        if sizes and axes[dim].size in sizes:
            amap.strong.update(axes[dim].uids)
            amap.input_dims.setdefault(key, dim)
        if guessed:  # no DataLoader or slice says so: a layer that knows better may move it (an RNN)
            amap.guessed.update(axes[dim].uids)
        main = main or axes[dim].size
        if axes[dim].size > 1:
            amap.model_batch.add(axes[dim].size)
